# The statuses in words: how a person counts flows in each status ($n: how many),
# and the ledger's timeline entry of each verdict.

status-integrated = { $n ->
    [one] { $n } intégré
   *[other] { $n } intégrés
}
status-rejected = { $n ->
    [one] { $n } rejeté
   *[other] { $n } rejetés
}
status-partly = { $n ->
    [one] { $n } partiellement intégré
   *[other] { $n } partiellement intégrés
}
status-held = { $n ->
    [one] { $n } fichier de statuts lu
   *[other] { $n } fichiers de statuts lus
}
status-repeated = { $n ->
    [one] { $n } déjà traité
   *[other] { $n } déjà traités
}

timeline-integrated = reçu, toutes les factures intégrées
timeline-rejected = erreur de réception, flux rejeté
timeline-partly = reçu, intégration partielle
timeline-held = fichier de statuts retenu pour le cycle de vie
status-unfinished = { $n ->
    [one] { $n } non terminé, repris au prochain démarrage
   *[other] { $n } non terminés, repris au prochain démarrage
}
status-abandoned = { $n } mis de côté
status-none = aucun flux

# The other entries of the ledger's timeline.
event-replayed = rejoué comme le flux { $flow } (tentative { $attempt })
event-replay = tentative { $attempt } du flux { $flow }
event-received = reçu de { $sender } par { $source }
event-deposited = déposée
event-routed = acheminée vers { $mailbox }
event-unchanged = rapport non renvoyé à l'expéditeur : même statut et mêmes anomalies que la tentative précédente, le flux { $flow }
event-repeat = même flux reçu à nouveau sous le nom { $name } ; rapport d'origine renvoyé
