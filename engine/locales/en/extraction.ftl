# Extraction: data present in a valid document that cannot be read.

extract-not-decimal = "{ $value }" is not a decimal number
extract-not-iso-date = "{ $value }" is not a date in the YYYY-MM-DD format
extract-not-calendar-date = "{ $value }" is not a calendar date
extract-not-iso-week = "{ $value }" is not an ISO week
extract-date-format-unknown = date format { $format } is not one facteur reads ({ $known })
extract-date-format-mismatch = "{ $value }" does not match date format { $format }
extract-not-base64 = the embedded object is not valid base64 ({ $reason })
extract-root-unknown = root element { $root } is none of the formats facteur reads ({ $known })
