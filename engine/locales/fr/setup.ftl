# An operator's own files: the configuration, the directory, the mappings and the recognition patterns.

config-missing = le fichier de configuration { $path } (donné par { $origin }) n'existe pas ; corrigez le chemin, ou créez-en un avec « facteur init DOSSIER »
config-root-file = le dossier racine { $root } ne peut pas être un dossier : { $blocking } est un fichier ; donnez à --root (ou [paths] root) un dossier
config-folder-file = { $folder } ({ $key } de { $path }) ne peut pas être un dossier : { $blocking } est un fichier ; déplacez ce fichier, ou changez la clé
config-recognition = les motifs de reconnaissance ne peuvent pas être chargés : { $reason }
config-format = le format propriétaire ne peut pas être chargé : { $reason }
config-format-twice = les formats propriétaires { $first } et { $second } ont le même id « { $id } » ; chaque mapping doit avoir le sien (il nomme, dans le registre, le mapping qui a lu une facture) : changez la clé id de [format] dans l'un des deux
config-toml = le fichier de configuration { $path } n'est pas du TOML valide : { $reason }
config-not-utf8 = le fichier de configuration { $path } n'est pas en UTF-8 ({ $reason } à l'octet { $offset }) ; enregistrez-le en UTF-8
config-unreadable = le fichier de configuration { $path } ne peut pas être lu ({ $reason }) ; vérifiez ses droits (l'utilisateur qui lance facteur doit pouvoir le lire)
config-ledger-url = { $path } : [ledger] url (ou FACTEUR_LEDGER_URL) doit être une URL postgresql://, ou vide pour le fichier SQLite
init-exists = { $paths } existe déjà : facteur init ne remplace pas une configuration ; choisissez un autre dossier, ou supprimez d'abord ce qui existe
init-cannot-write = facteur init ne peut pas écrire dans { $folder } : { $reason }

directory-file-missing = le fichier d'annuaire { $path } n'existe pas ; créez-le, ou faites pointer [directory] file vers lui
directory-file-toml = le fichier d'annuaire { $path } n'est pas du TOML valide : { $reason }
directory-siret-twice = { $path } : le SIRET { $siret } figure deux fois
directory-siret = { $where } : le siret « { $value } » doit avoir 14 chiffres
directory-delivery = { $where } : delivery « { $value } » doit être l'un de { $known }
directory-suppliers = { $where } : suppliers doit lister des identifiants de fournisseurs, ou ["*"] pour tous
directory-missing = { $where } : { $key } manque
directory-partner-id = { $where } « { $value } » doit avoir 3 à 8 lettres, chiffres, - ou _ (la longueur d'un identifiant de partenaire Chorus Pro)

mapping-kind = { $source } : [format] kind « { $value } » doit être l'un de { $known }
mapping-unknown-fields = { $source } : [{ $group }] nomme des champs inconnus ({ $unknown }) ; champs connus : { $known }
mapping-root-required = { $source } : [recognise] root est obligatoire pour un format xml
mapping-first-line-required = { $source } : [recognise] first_line (une expression régulière) est obligatoire
mapping-first-line-invalid = { $source } : [recognise] first_line n'est pas une expression régulière : { $reason }
recognition-field-unknown = { $source } : [fields.{ $field }] n'est pas un champ que facteur connaisse ({ $known })
recognition-section = { $source } : [fields.{ $field }] section « { $value } » doit être buyer ou seller
recognition-fallback = { $source } : [fields.{ $field }] fallback « { $value } » doit être l'un de { $known }
recognition-search = { $source } : [fields.{ $field }] search « { $value } » doit être first ou last
recognition-mandatory = { $source } : [recognition] mandatory nomme des champs inconnus ({ $unknown })
recognition-date-order = { $source } : [recognition] date_order « { $value } » doit être DMY ou MDY

# A key of facteur.toml that pydantic refuses: the file, the key, the value, what is expected.
config-unknown-section = { $path } : la section [{ $section }] est inconnue ; les sections possibles sont { $known }
config-unknown-key = { $path } : { $given } : clé inconnue ; les clés possibles de [{ $section }] sont { $known }
config-unknown-top-key = { $path } : { $given } : clé inconnue ; les clés possibles hors section sont { $known }
config-bad-value = { $path } : { $given } n'est pas une valeur possible ; attendu : { $expected }
config-expected-greater = un nombre supérieur à { $bound }
config-expected-at-least = un nombre supérieur ou égal à { $bound }
config-expected-at-most = un nombre inférieur ou égal à { $bound }
config-expected-table = une table [{ $section }]
config-expected-one-of = l'une des valeurs { $values }
config-expected-bool = true ou false, sans guillemets
config-expected-int = un nombre entier, sans guillemets
config-expected-float = un nombre, sans guillemets
config-expected-string = un texte entre guillemets
config-expected-list = une liste, par exemple ["DEMO01"]
config-expected-partner-id = un identifiant de 3 à 8 lettres, chiffres, - ou _

# The national directory's files (adapters/annuaire_files.py) and their import (facteur directory import).
directory-file-unreadable = le fichier d'annuaire { $path } ne peut pas être lu ({ $reason })
directory-file-unknown = { $path } n'est ni un extrait F14 (AnnuaireConsultationF14), ni une actualisation F12/F13 (AnnuaireActualisation), ni un annuaire TOML ; donnez un fichier de l'annuaire du PPF
directory-file-schema = { $path } est refusé en entier : il n'est pas conforme au schéma officiel { $schema }
directory-fault = ligne { $line } : { $fault }
directory-more-faults = … et { $n } autres
directory-record-refused = { $record } : { $reason }
directory-routing-scheme = le code routage { $code } a le schéma { $scheme }, réservé au SIREN ou au SIRET
directory-status-unknown = statut « { $status } » inconnu (A actif, I inactif)
directory-nature-unknown = nature « { $nature } » inconnue (D définition, M masquage)
directory-siret-of-another = le SIRET { $siret } n'appartient pas au SIREN { $siren }
directory-routing-without-siret = un code routage sans SIRET n'est pas une maille d'adressage
directory-suffix-with-siret = un suffixe ne se combine pas avec un SIRET
directory-end-before-start = la fin d'effet { $end } n'est pas après le début { $start }
directory-id-scheme = l'identifiant { $value } a le schéma « { $scheme } » ; seul { $expected } est admis
directory-toml-unreadable = l'annuaire TOML { $path } ne peut pas être lu : { $reason }
directory-change-too-old = ce changement du { $change } est antérieur à la version en vigueur depuis le { $current } ; importez les fichiers dans l'ordre où le PPF les a produits
directory-change-refused = { $kind } { $key } : { $reason }
directory-not-imported = { $file } non importé : { $refused } a été refusé avant lui (les fichiers s'appliquent dans l'ordre)
