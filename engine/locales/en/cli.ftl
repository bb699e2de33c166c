# The command line: its own messages, table headers and summaries.

cli-file-for-folder = { $path } is a file where facteur expects a folder; move that file, or change [paths] in the configuration
cli-interrupted = interrupted

# facteur process and replay: one line per flow handled, then the summary.
line-integrated = integrated
line-partly = partly integrated
line-rejected = rejected
line-held = statuses read
line-applied = statuses applied
line-partly-applied = partly applied
line-refused = statuses refused
line-repeated = already processed (original report sent again)
line-not-sent-again = report not sent to the sender again: nothing changed since attempt { $attempt }
processed-summary = { $n ->
    [one] { $n } flow: { $summary }
   *[other] { $n } flows: { $summary }
}
severity-blocking = blocking
severity-warning = warning

# facteur flows list: the table's header, and a replay's attempt.
list-id = flow id
list-status = status
list-ratio = ok/docs
list-sender = sender
list-received = received (UTC)
list-name = name
list-attempt = (attempt { $attempt } of { $flow })

# facteur flows show
show-flow = flow { $flow }  { $name }  from { $sender } ({ $source }), { $size } bytes
show-name-raw = name as received (hex): { $hex }
show-status = status { $status }; rules: { $rules }
show-attempt = attempt { $attempt } of flow { $flow }
show-replayed = replayed as { $flow } (attempt { $attempt }): status { $status }
show-timeline = timeline:
show-flow-scope = flow
show-invoice-scope = invoice { $idx }
show-invoices = invoices:
show-accepted = accepted
show-rejected = rejected
show-invoice = { $document }  n° { $number }  supplier { $supplier }  → { $buyer } ({ $mailbox })  { $total } { $currency }
show-not-started = not started
show-invoice-state = status { $state }; payment delay start: { $start }
show-judged-by = judged by { $rules } { $version }
show-findings = findings:
show-outputs = outputs:
show-published = (published { $at }, message id { $id })
show-last-error = ; last error: { $error }
show-waiting = (waiting to be published, { $attempts ->
    [one] { $attempts } attempt
   *[other] { $attempts } attempts
}{ $error }; message id { $id })
