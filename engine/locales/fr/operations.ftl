# The use cases (engine/operations): a request that names nothing, or cannot be asked that way.

ops-sender-not-an-id = --sender « { $sender } » doit être un identifiant de partenaire de 3 à 8 lettres, chiffres, - ou _
ops-sender-unknown = l'expéditeur { $sender } n'est pas dans l'annuaire { $directory } (partenaires connus : { $known }) ; ajoutez-le, ou utilisez --open-directory
ops-oversized = { $name } dépasse la limite de { $limit } octets d'un flux ; il n'a pas été lu : découpez-le
ops-collect-edi = { $mailbox } ({ $name }) reçoit par EDI et accuse réception de chaque livraison par un statut 92 ; collect est pour les destinataires en mode portail ou service (delivery = "portal" ou "service" dans l'annuaire)
ops-no-structure = aucune structure « { $recipient } » dans l'annuaire ; donnez son identifiant de boîte ou son SIRET
ops-invoice-reference = le flux { $flow } a { $n ->
    [one] { $n } facture livrée qui correspond
   *[other] { $n } factures livrées qui correspondent
} à « { $reference } » ; écrivez FLUX:N, N étant la place de la facture dans le flux (voir « facteur flows show »)
ops-replay-ids-or-status = donnez des identifiants de flux, ou --status (avec --since, --until) pour les choisir, pas les deux
ops-bad-date = date illisible « { $value } » : écrivez une date AAAA-MM-JJ (par exemple { $example }), « aujourd'hui » (today), « hier » (yesterday) ou un nombre de jours en arrière comme -7j (-7d)
ops-unknown-status = statut inconnu « { $status } » ; choisissez parmi : { $accepted }
ops-choices = { $shown }{ $more ->
    [0] {""}
   *[other] {" "}(et { $more } autres)
}
ops-no-structure-at-all = l'annuaire n'en a aucune
ops-unknown-recipient = destinataire inconnu « { $recipient } » : ni l'annuaire ({ $directory }) ni le registre ne le connaissent ; donnez la boîte ou le SIRET d'une structure : { $shown }
ops-unknown-flow = aucun flux n'a l'identifiant « { $reference } », ou plusieurs commencent ainsi ; voyez « facteur flows list » et donnez un identifiant complet ou un préfixe unique
