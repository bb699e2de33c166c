"""The default configuration and demo directory, installed as `facteur.defaults`:
what facteur uses when no configuration file is found, and what `facteur init` copies."""
