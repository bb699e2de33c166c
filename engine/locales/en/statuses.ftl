# The statuses in words: how a person counts flows in each status ($n: how many),
# and the ledger's timeline entry of each verdict.

status-integrated = { $n } integrated
status-rejected = { $n } rejected
status-partly = { $n } partly integrated
status-held = { $n ->
    [one] { $n } status file read
   *[other] { $n } status files read
}
status-repeated = { $n } already processed

timeline-integrated = received, all invoices integrated
timeline-rejected = reception error, flow rejected
timeline-partly = received, partly integrated
timeline-held = held for the lifecycle stage
status-unfinished = { $n } unfinished, taken again at the next start
status-abandoned = { $n } set aside
status-none = no flow
