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
