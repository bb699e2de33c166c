# What arrives: refusals at the door, supporting documents.

door-hardlink = the file "{ $name }" is a hard link (its content has several names): facteur did not read it and set it aside in .refused/; drop a copy of the file, not a link
door-foreign-claim = the file "{ $name }" appeared in .claimed/ without facteur putting it there: facteur did not process it and set it aside in .refused/; drop your files in the inbox folder, never in .claimed/

attachment-type = the supporting document "{ $name }" has the extension .{ $extension }, which Chorus Pro does not accept; use one of { $known }
attachment-no-extension = the supporting document "{ $name }" has no extension, which Chorus Pro does not accept; use one of { $known }
attachment-empty = the supporting document "{ $name }" is empty
attachment-too-big = the supporting document "{ $name }" is { $size } bytes, above the { $limit } bytes (10 MB) Chorus Pro accepts for one attachment
attachments-too-big = the invoice and its supporting documents are { $size } bytes, above the { $limit } bytes (120 MB) Chorus Pro accepts for one invoice; send fewer or smaller documents

format-profile-unknown = the specification identifier (BT-24) names no profile facteur knows; the document was judged against EN 16931
format-specification-note = { $rule } The specification identifier (BT-24) is not the one this Factur-X profile declares; the document was judged against the { $rules } rules all the same
format-zugferd1-no-profile = { $document } is ZUGFeRD 1.0 but declares none of its profiles (BASIC, COMFORT, EXTENDED) in GuidelineSpecifiedDocumentContextParameter; send it as Factur-X
format-zugferd1-schema-only = { $document } is ZUGFeRD 1.0, which predates EN 16931 and has no official business rules: it was checked against its schema only; ask the supplier for Factur-X

statusfile-no-timezone = Horodatage has no time zone in { $positions }; a status timestamp can start the legal payment delay, so write it with its offset (2026-11-23T10:15:00+01:00)
statusfile-bad-time = { $field } "{ $value }" is not a date facteur can place in time

lot-corrupt = lot { $lot } cannot be read as an archive ({ $reason })
lot-empty = lot { $lot } holds no document
lot-too-many = lot { $lot } holds more than { $limit } documents; split it
lot-too-big = lot { $lot } expands beyond { $limit } bytes; split it
lot-member-too-big = member "{ $member }" of lot { $lot } expands beyond { $limit } bytes
lot-path-outside = lot { $lot } has a member named "{ $member }" that points outside the lot (absolute path or "..")
lot-path-control = lot { $lot } has a member name with control characters: "{ $member }"
lot-link = lot { $lot } has a link member "{ $member }"; links are refused
lot-encrypted = member "{ $member }" of lot { $lot } is encrypted; send lots without a password
lot-compression = member "{ $member }" of lot { $lot } uses compression method { $method }, which facteur cannot read; use deflate
lot-not-a-file = lot { $lot } has a member "{ $member }" that is a link or a device; only plain files are accepted

pdf-encrypted = { $name } is encrypted; send the invoice as an unprotected PDF
pdf-pages = { $name } has { $pages } pages, more than the { $limit } an invoice may have
pdf-timeout = { $name } could not be read within { $seconds } seconds; a PDF invoice is read in well under a second, this one is damaged or built to exhaust readers: export it again as PDF
pdf-limit = { $name } exceeds the safety limits for PDF content ({ $reason })
pdf-corrupt = { $name } is not a readable PDF ({ $reason }); export the invoice again as PDF

mapping-encoding = { $name } is not in the { $encoding } encoding its mapping ({ $mapping }) declares ({ $reason })
mapping-expected-amount = an amount
mapping-expected-amount-comma = an amount with a decimal comma
mapping-expected-date = a date as { $formats }
mapping-value = { $name } ({ $mapping }), { $where }: { $field } "{ $value }" is not { $expected }; correct the export or the mapping { $source }
mapping-expected-header = a header "{ $header }"
mapping-expected-record = "{ $header }" or "{ $line }"
mapping-record = { $name } ({ $mapping }), { $where }: a record of type "{ $kind }" where { $expected } was expected

recognise-missing = { $name } is a PDF without embedded invoice data and facteur did not find for sure in its text: { $fields }; print them with their usual labels (see mappings/recognition.toml) or send the invoice as Factur-X
field-unsure = { $field } (read “{ $value }” with a confidence of { $confidence }%, below the threshold of { $threshold }%)
field-number = invoice number (BT-1)
field-issue-date = invoice date (BT-2)
field-supplier-siret = supplier SIRET (BT-29)
field-supplier-name = supplier name (BT-27)
field-recipient-siret = recipient SIRET (BT-47)
field-service-code = service code (BT-10)
field-engagement = engagement number (BT-13)
field-total-without-vat = total without VAT (BT-109)
field-total-vat = total VAT (BT-110)
field-total-with-vat = total with VAT (BT-112)
field-amount-due = amount due (BT-115)
field-currency = currency (BT-5)
mapping-line = line { $n }
mapping-invoice = invoice { $n } ({ $path })
mapping-invoice-line = { $where }, line { $n }
