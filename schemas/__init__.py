"""Schemas facteur reads at run time (the official Chorus Pro status schema, for
the status files recipients send back); installed as `facteur.schemas`."""
