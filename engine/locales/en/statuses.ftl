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

# The other entries of the ledger's timeline.
event-replayed = replayed as flow { $flow } (attempt { $attempt })
event-replay = attempt { $attempt } of flow { $flow }
event-received = received from { $sender } via { $source }
event-deposited = deposited
event-routed = routed to { $mailbox }
event-unchanged = report not sent to the sender again: same status and same findings as the previous attempt, flow { $flow }
event-repeat = same flow received again as { $name }; original report sent again
