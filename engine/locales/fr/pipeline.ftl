# The pipeline's own findings, and the texts of the reports sent to senders.

lot-nested = { $document } est un lot dans un lot ; n'envoyez que des lots de documents
lot-status-file = { $document } est un fichier de statuts ; envoyez les fichiers de statuts seuls, pas dans un lot de factures
extract-failed = { $document } : { $reason } (à { $location })
mapping-empty = { $document } ({ $format }) ne contient aucune facture
processing-failed = Le traitement du flux { $name } ({ $flow }) a échoué { $attempts } fois de suite : { $cause }. Le flux est rejeté sans avoir été jugé ; l'opérateur peut le rejouer une fois la cause corrigée (facteur replay { $flow }).
flow-abandoned = Le flux { $name } ({ $flow }) n'a pas pu être jugé : le traitement a échoué { $attempts } fois ({ $cause }), puis son rejet n'a pas pu être enregistré ({ $failure }). Rien n'a été décidé pour lui : corrigez la cause, puis soumettez-le de nouveau.

# CPPStatut, the flow-level report: its comment, and the parts of each error line.
report-comment = { $n ->
    [one] { $n } facture intégrée sur { $total } dans { $name }
   *[other] { $n } factures intégrées sur { $total } dans { $name }
}
report-warning = Avertissement : { $text }
report-location = { $text } (emplacement : { $location })
nature-parse = Syntaxe
nature-detect = Format
nature-lot = Lot
nature-xsd = Schéma XSD
nature-schematron = Règle de gestion EN 16931
nature-extract = Extraction des données
nature-hub = Contrôle plateforme
nature-pivot = Pivot Chorus Pro
nature-lifecycle = Cycle de vie

# Detection and validation: what kind of document, and its schema (the schema's own error, as libxml2 writes it).
detect-empty = { $name } est vide ; envoyez à nouveau le fichier
detect-facturx-data-unknown = { $document } ne contient pas de données de facture Factur-X, ZUGFeRD ou UBL ({ $detail }) ; incorporez la facture en Factur-X CII
detect-xmp-mismatch = { $name } déclare le profil { $declared } dans ses métadonnées XMP mais son XML déclare { $level } (BT-24) ; le XML a été jugé selon sa propre déclaration
detect-zugferd1-xmp-absent = { $name } ne déclare pas de profil ZUGFeRD (ConformanceLevel) dans ses métadonnées XMP, ce qu'un PDF ZUGFeRD doit faire ; son XML déclare { $level }
detect-pdf-no-text = { $name } n'a ni facture jointe (XML UBL, CII ou ZUGFeRD) ni texte (une image numérisée ?) ; facteur ne peut pas lire son en-tête et son pied : envoyez-le en Factur-X, ou en PDF avec son texte
detect-pdf-no-text-xml = { $name } n'a ni facture jointe (XML UBL, CII ou ZUGFeRD) ni texte (une image numérisée ?) ; { $attached } ; facteur ne peut pas lire son en-tête et son pied : envoyez-le en Factur-X, ou en PDF avec son texte
detect-pdf-attached-xml = sa pièce jointe { $file } est { $what }
detect-pdf-xml-not-invoice = { $file }, joint à { $name }, est { $what } : il est transmis comme pièce jointe, et la facture est lue dans le texte du PDF
detect-format-unknown = { $name } n'est pas d'un format que facteur lit ({ $seen }) et aucun mapping de mappings/formats/ ne le reconnaît ; envoyez une Invoice ou CreditNote UBL 2.1, une facture CII UN/CEFACT ou un PDF Factur-X, ou décrivez le format dans un mapping
xsd-invalid = le document ne respecte pas le schéma { $schema } : { $error }
detect-not-xml = ses premiers octets ne sont pas du XML ({ $kind })
detect-no-element = aucun élément
detect-root = élément racine { $root }
detect-root-in-namespace = élément racine { $root } de l'espace de noms { $namespace }
