"""The shipped mappings, installed as `facteur.mappings`: label patterns of plain
PDFs (recognition.toml), proprietary formats (formats/) and their samples (examples/)."""
