# The lifecycle: a recipient's status file judged against the ledger, disputes.

lifecycle-comment = { $n ->
    [one] { $n } statut appliqué sur { $total } dans { $name }
   *[other] { $n } statuts appliqués sur { $total } dans { $name }
}
lifecycle-not-yours = le statut de flux { $code } est émis par la plateforme ; un destinataire accuse réception d'une livraison par 92 (reçu) ou signale 94 ou 95 (erreurs de livraison)
lifecycle-unknown-flow = le flux { $flow } n'a livré aucune facture à { $recipient } ; vérifiez IdFlux par rapport à l'enveloppe du pivot (paramètre IdFlx)
lifecycle-already = la facture { $number } du flux { $flow } a déjà été mise à disposition ({ $state }) ; le début de son délai de paiement ne change pas
lifecycle-unknown-code = le statut de facture { $code } n'est pas de ceux que facteur échange ; utilisez 04 à 12
lifecycle-set-by-hub = facture { $number } : le statut { $status } est posé par la plateforme ; accusez plutôt réception de la livraison par le statut de flux 92
lifecycle-unknown-invoice = aucune facture { $number } du fournisseur { $supplier } n'a été livrée à { $recipient }
lifecycle-unknown-invoice-dated = aucune facture { $number } du fournisseur { $supplier } datée du { $date } n'a été livrée à { $recipient }
lifecycle-ambiguous = la facture { $number } du fournisseur { $supplier } a été livrée plusieurs fois à { $recipient } (émise en { $years }) ; donnez DateFacture pour dire laquelle
lifecycle-unexplained = statut { $status } de la facture { $number } : { $gap } (champ Commentaire), pour que le fournisseur puisse agir
lifecycle-only-after = seuls { $allowed } peuvent le suivre
lifecycle-final = il est définitif
lifecycle-ack-first = le destinataire doit d'abord accuser réception de la livraison (statut de flux 92)
lifecycle-impossible = la facture { $number } est au statut { $state } ; { $status } ne peut pas suivre : { $after }
lifecycle-before-deposit = l'Horodatage { $at } est antérieur au dépôt de la facture ({ $deposited })
lifecycle-future = l'Horodatage { $at } est dans le futur (l'horloge de facteur indique { $now })

explanation-empty-reason = le motif « { $reason } » n'explique rien
explanation-no-reason = aucun motif n'est donné
explanation-gap = { $what } : écrivez au moins { $words } mots ({ $letters } lettres en tout) qui disent ce qui ne va pas ou ce qui manque, par exemple « Montant erroné » ou « Bon de commande manquant »

dispute-started = le délai de paiement de la facture { $number } (flux { $flow }) a commencé le { $start } (règle { $rule }) ; un début de délai ne change jamais
dispute-will-start = le délai de paiement de la facture { $number } (flux { $flow }) commencera le { $start } (règle { $rule }) ; un début de délai ne change jamais
dispute-unexplained = dites pourquoi la facture est contestée (--reason) : { $gap }
