# The hub controls: sender, supplier, recipient, services, engagement, duplicates.

hub-sender-unknown = l'expéditeur { $sender } n'est pas dans l'annuaire ; déclarez-le avec les fournisseurs pour lesquels il dépose
hub-sender-not-allowed = l'expéditeur { $sender } n'est pas autorisé à déposer des factures pour le fournisseur { $supplier } ; ajoutez ce fournisseur à la liste de l'expéditeur dans l'annuaire
hub-supplier-siret = le fournisseur est français mais son identifiant { $identifier } n'est pas un SIRET (14 chiffres) ; donnez le SIRET comme immatriculation légale du vendeur (BT-30, schéma 0009)
hub-recipient-inactive = le destinataire { $siret } ({ $name }) n'est plus actif et ne peut plus recevoir de factures ; vérifiez le SIRET de l'acheteur auprès de votre client
hub-recipient-missing = l'acheteur n'a pas de SIRET (trouvé : { $identifier }) ; un destinataire public est identifié par son SIRET de 14 chiffres en BT-46 ou BT-47 (schéma 0009)
hub-recipient-unknown = le SIRET destinataire { $siret } n'est pas une structure publique de l'annuaire ; vérifiez le SIRET de l'acheteur auprès de votre client
hub-recipient-closed = le destinataire { $key } ({ $name }) est désactivé depuis le { $since } dans l'annuaire au { $day } et ne peut pas recevoir de factures ; vérifiez le SIRET de l'acheteur auprès de votre client
hub-recipient-not-enabled = le destinataire { $key } ({ $name }) { $status ->
        [upcoming] n'est pas encore ouvert
       *[other] est désactivé
    } dans l'annuaire au { $day } et ne peut pas recevoir de factures ; vérifiez le SIRET de l'acheteur auprès de votre client
hub-recipient-unaddressable = aucune ligne d'annuaire en vigueur le { $day } pour { $key } ({ $name }) : aucune plateforme ne reçoit ses factures ; vérifiez son adresse électronique auprès de votre client
hub-open-recipient = l'acheteur n'a pas de SIRET (trouvé : { $identifier }) ; l'annuaire ouvert l'achemine vers { $mailbox } avec l'identifiant de remplacement { $placeholder }
hub-service-unknown = le code service { $code } n'existe pas chez { $name } ({ $siret }) ; services connus : { $known }
hub-service-inactive = le service { $code } de { $name } ({ $siret }) n'est plus actif ; demandez à l'acheteur son code service actuel
hub-services-listed = { $codes }{ $more ->
    [0] {""}
   *[other] {" "}et { $more } autres
}
hub-service-closed = le service { $code } ({ $service }) de { $name } ({ $siret }) est fermé depuis le { $closed } dans l'annuaire ; demandez à l'acheteur son code service actuel
hub-service-engagement-missing = le service { $code } ({ $service }) de { $name } ({ $siret }) exige un numéro d'engagement dans la référence de bon de commande (BT-13)
hub-service-missing = { $name } ({ $siret }) exige un code service dans la référence acheteur (BT-10)
hub-engagement-missing = { $name } ({ $siret }) exige un numéro d'engagement dans la référence de bon de commande (BT-13)
hub-service-or-engagement = { $name } ({ $siret }) exige un code service (BT-10) ou un numéro d'engagement (BT-13) ; la facture n'a ni l'un ni l'autre
hub-duplicate-same-flow = dans ce même flux
hub-duplicate-in-flow = dans le flux { $flow }
hub-duplicate = le fournisseur { $supplier } a déjà déposé la facture { $number } pour { $year } { $where } ; un numéro de facture ne sert qu'une fois par an : envoyez un avoir ou un nouveau numéro
