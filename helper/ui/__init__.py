"""User interfaces: the terminal flow and the Tk window; both drive ``helper.flow``."""
