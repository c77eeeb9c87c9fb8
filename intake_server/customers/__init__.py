"""The customer register: who intellekta supports, and whether an AV-Vertrag is signed."""
