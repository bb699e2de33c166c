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
