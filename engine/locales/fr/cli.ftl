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
