# An operator's own files: the configuration, the directory, the mappings and the recognition patterns.

config-missing = the configuration file { $path } (given by { $origin }) does not exist; correct the path, or make one with "facteur init FOLDER"
config-root-file = the root folder { $root } cannot be a folder: { $blocking } is a file; give --root (or [paths] root) a folder
config-folder-file = { $folder } ({ $key } of { $path }) cannot be a folder: { $blocking } is a file; move that file, or change the key
config-recognition = the recognition patterns cannot be loaded: { $reason }
config-format = the proprietary format cannot be loaded: { $reason }
config-format-twice = the proprietary formats { $first } and { $second } have the same id "{ $id }"; each mapping needs its own (it names, in the ledger, the mapping that read an invoice): change the id key of [format] in one of them
config-toml = configuration file { $path } is not valid TOML: { $reason }
config-not-utf8 = the configuration file { $path } is not UTF-8 ({ $reason } at byte { $offset }); save it as UTF-8
config-unreadable = the configuration file { $path } cannot be read ({ $reason }); check its permissions (the user that runs facteur must be able to read it)
config-ledger-url = { $path }: [ledger] url (or FACTEUR_LEDGER_URL) must be a postgresql:// URL, or empty for the SQLite file
init-exists = { $paths } exists already: facteur init does not replace a configuration; choose another folder, or remove what exists first
init-cannot-write = facteur init cannot write in { $folder }: { $reason }

directory-file-missing = directory file { $path } does not exist; create it or point [directory] file at it
directory-file-toml = directory file { $path } is not valid TOML: { $reason }
directory-siret-twice = { $path }: SIRET { $siret } is listed twice
directory-siret = { $where }: siret "{ $value }" must be 14 digits
directory-delivery = { $where }: delivery "{ $value }" must be one of { $known }
directory-suppliers = { $where }: suppliers must list supplier identifiers, or ["*"] for any
directory-missing = { $where }: { $key } is missing
directory-partner-id = { $where } "{ $value }" must be 3 to 8 letters, digits, - or _ (the Chorus Pro partner id length)

mapping-kind = { $source }: [format] kind "{ $value }" must be one of { $known }
mapping-unknown-fields = { $source }: [{ $group }] names unknown fields ({ $unknown }); known: { $known }
mapping-root-required = { $source }: [recognise] root is required for an xml format
mapping-first-line-required = { $source }: [recognise] first_line (a regular expression) is required
mapping-first-line-invalid = { $source }: [recognise] first_line is not a regular expression: { $reason }
recognition-field-unknown = { $source }: [fields.{ $field }] is not a field facteur knows ({ $known })
recognition-section = { $source }: [fields.{ $field }] section "{ $value }" must be buyer or seller
recognition-fallback = { $source }: [fields.{ $field }] fallback "{ $value }" must be one of { $known }
recognition-search = { $source }: [fields.{ $field }] search "{ $value }" must be first or last
recognition-mandatory = { $source }: [recognition] mandatory names unknown fields ({ $unknown })
recognition-date-order = { $source }: [recognition] date_order "{ $value }" must be DMY or MDY

# A key of facteur.toml that pydantic refuses: the file, the key, the value, what is expected.
config-unknown-section = { $path }: the section [{ $section }] is unknown; the possible sections are { $known }
config-unknown-key = { $path }: { $given }: unknown key; the possible keys of [{ $section }] are { $known }
config-unknown-top-key = { $path }: { $given }: unknown key; the possible keys outside a section are { $known }
config-bad-value = { $path }: { $given } is not a possible value; expected: { $expected }
config-expected-greater = a number greater than { $bound }
config-expected-at-least = a number greater than or equal to { $bound }
config-expected-at-most = a number less than or equal to { $bound }
config-expected-table = a table [{ $section }]
config-expected-one-of = one of the values { $values }
config-expected-bool = true or false, without quotes
config-expected-int = a whole number, without quotes
config-expected-float = a number, without quotes
config-expected-string = a text in quotes
config-expected-list = a list, for example ["DEMO01"]
config-expected-partner-id = an id of 3 to 8 letters, digits, - or _

# The national directory's files (adapters/annuaire_files.py) and their import (facteur directory import).
directory-file-unreadable = directory file { $path } cannot be read ({ $reason })
directory-file-unknown = { $path } is neither an F14 extract (AnnuaireConsultationF14), nor an F12/F13 update (AnnuaireActualisation), nor a TOML directory; give a file of the PPF directory
directory-file-schema = { $path } is refused whole: it does not conform to the official schema { $schema }
directory-fault = line { $line }: { $fault }
directory-more-faults = … and { $n } more
directory-record-refused = { $record }: { $reason }
directory-routing-scheme = routing code { $code } has scheme { $scheme }, which is kept for a SIREN or a SIRET
directory-status-unknown = unknown status "{ $status }" (A active, I inactive)
directory-nature-unknown = unknown nature "{ $nature }" (D definition, M masking)
directory-siret-of-another = SIRET { $siret } does not belong to SIREN { $siren }
directory-routing-without-siret = a routing code without a SIRET is no addressing line
directory-suffix-with-siret = a suffix does not go with a SIRET
directory-end-before-start = the end of effect { $end } is not after the start { $start }
directory-id-scheme = identifier { $value } has scheme "{ $scheme }"; only { $expected } is accepted
directory-toml-unreadable = TOML directory { $path } cannot be read: { $reason }
directory-change-too-old = this change of { $change } is older than the version in force since { $current }; import the files in the order the PPF produced them
directory-change-refused = { $kind } { $key }: { $reason }
directory-not-imported = { $file } not imported: { $refused } was refused before it (the files apply in order)
