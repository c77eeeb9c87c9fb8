"""The support console: the pages intellekta's staff use before they connect."""
