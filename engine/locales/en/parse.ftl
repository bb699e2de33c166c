# Safe XML parsing (engine/inputs/parse.py): what is wrong, and where.

xml-position = line { $line }, column { $column }
xml-size = { $document } is { $size } bytes, above the { $limit }-byte limit for one XML document; split the lot or send the invoice on its own
xml-markup = { $document } has { $tags } tags and up to { $attributes } attributes, above the { $max_tags } and { $max_attributes } an invoice may have (its tree would not fit in memory safely); split it
xml-empty = { $document } holds no XML element
xml-dtd = { $document } declares a DTD; invoice syntaxes never need one and DTDs are refused (they carry entity expansion and external entities)
xml-depth = { $document } exceeds the XML parser's safety limits ({ $detail })
xml-truncated = { $document } stops at line { $line }, column { $column } before its XML is complete (the element { $element } is not closed); send the whole file
xml-ampersand = { $document } holds an unescaped "&" at line { $line }, column { $column }; in XML, an "&" is written "&amp;" (for instance "Smith &amp; Sons")
xml-entity = { $document } uses the entity "&{ $entity };" at line { $line }, column { $column }, which XML does not know; write the character itself (in UTF-8) or its numeric reference ("&#233;" for "é")
xml-mismatch = { $document } closes the element { $closing } at line { $line }, column { $column } while { $opened }, opened at line { $opened_line }, is not closed; fix the nesting of the tags
xml-syntax = { $document } is not well-formed XML at line { $line }, column { $column }: { $detail }
xml-encoding-latin = { $document } declares the encoding { $declared } but the byte 0x{ $byte } at line { $line }, column { $column } is not of it: the file seems written in Latin-1 or Windows-1252 (where this byte is "{ $char }"); save it as UTF-8, or declare its real encoding (encoding="ISO-8859-1")
xml-encoding = { $document } declares the encoding { $declared } but the byte 0x{ $byte } at line { $line }, column { $column } is not of it; save the file in the declared encoding, or declare its real encoding
xml-encoding-unknown = { $document } declares the encoding { $declared }, which facteur does not know; save the file as UTF-8 and declare encoding="UTF-8"
xml-encoding-detail = { $document } cannot be read in the encoding it declares ({ $declared }) at line { $line }, column { $column }: { $detail }; save it as UTF-8 or declare its real encoding
xml-cut = { $document } stops at line { $line }, column { $column } before its XML is complete; send the whole file
xml-encoding-default = UTF-8 (the default, as it declares none)
xsd-position = line { $line }
