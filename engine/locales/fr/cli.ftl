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
