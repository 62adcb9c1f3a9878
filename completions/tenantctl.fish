# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tenantctl_global_optspecs
    string join \n i/inventory= node= label= o/output= no-headers concurrency= color= v/verbose q/quiet audit-log= allow-triggers h/help V/version
end

function __fish_tenantctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tenantctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tenantctl_using_subcommand
    set -l cmd (__fish_tenantctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tenantctl -n "__fish_tenantctl_needs_command" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "list" -d 'List the tenants of every node with their status'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "passwd" -d 'Change a tenant user\'s password (default: the admin user, base.user_admin)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "suspend" -d 'Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "reactivate" -d 'Reactivate a suspended tenant: switch on exactly the users recorded at suspension'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "show" -d 'Everything about one tenant: node, version, size, suspension, users'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "bulk" -d 'The same over many tenants, for scripts and cron (suspend, reactivate, passwd)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "check" -d 'Check every node: reachable, authenticated, version, latency, tenants, privileges'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "health" -d 'What is quietly broken inside each tenant: jobs, mail, modules, queue_job, identity, PostgreSQL'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "log" -d 'Read the audit log: who changed which tenant, when, with what outcome'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "nodes" -d 'The resolved inventory: where it came from, how each node is reached, where its password comes from'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "create" -d 'Create a tenant from a template database (Odoo\'s duplicate, plus a new identity)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "duplicate" -d 'Copy a tenant on its node (e.g. a staging copy), optionally neutralized'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "rename" -d 'Rename a tenant: its database, its filestore, its web.base.url'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "upgrade" -d 'Upgrade modules on a copy of the tenant (odoo-bin -u) and swap it in; on failure the tenant is left as it was'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "drop" -d 'Soft-drop a (suspended) tenant: blocked, renamed NAME.dropped-<UTC time>, kept until purged'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "undrop" -d 'Restore a soft-dropped tenant under its name'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "purge" -d 'Delete a soft-dropped tenant for good (database and filestore) after drop_retention'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "backup" -d 'Back a tenant up in Odoo\'s format (zip: dump.sql, filestore/, manifest.json) or as a pg_dump archive'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "restore" -d 'Restore a backup (tenantctl\'s or Odoo\'s zip, or a pg_dump archive) as a new database'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "move" -d 'Move a (suspended) tenant to another node: backup, restore as --move, verify, soft-drop the source'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "man" -d 'Print a man page (roff), or write one page per command into a directory'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l status -d 'Which tenants' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l sort -d 'Sort order' -r -f -a "name\t''
node\t''
size\t''
last-login\t''
users\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l all-databases -d 'Also show databases that are not Odoo tenants (status not-odoo)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l dropped -d 'Show the soft-dropped tenants instead (see drop, undrop, purge)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l login -d 'The user\'s login (default: the user behind xmlid base.user_admin)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l length -d 'Length of a generated password' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l password-stdin -d 'Read the new password from the first line of stdin'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l generate -d 'Generate a random password and print it once on stdout'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l dry-run -d 'Check everything and show what would be done; write nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l reason -d 'Why (stored in the tenant and the audit log; 1..500 characters)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l layers -d 'Suspension layers instead of the node\'s `suspend_layers`: users,crons,mail,connections; `+connections` adds to them' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l dry-run -d 'Show who would be switched off and which keys written; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l restore-users -d 'For tenants suspended without a record of users (the old agent): switch on every internal user except __system__, templates and public' -r -f -a "all-internal\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l dry-run -d 'Show who would be switched on; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "create" -d 'Create many tenants from a CSV file: name[,admin_login[,company]] (NODE/NAME or NAME)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "drop" -d 'Soft-drop many (suspended) tenants: one TENANT or NODE/TENANT per line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "backup" -d 'Back up every tenant of the selected nodes (nightly): one file per tenant in DIR'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "purge" -d 'Purge many dropped tenants (after drop_retention unless --now)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "upgrade" -d 'Upgrade modules on many tenants, each on a copy swapped in when verified (see `upgrade`)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd create drop backup purge upgrade help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l reason-column -d 'Column of --from holding the reason: number or header name [default: 2, when present]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l status -d 'Only tenants in this state' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l reason -d 'Reason for every tenant whose line has none (no or an empty reason column; 1..500 characters)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l layers -d 'Suspension layers instead of the node\'s `suspend_layers`: users,crons,mail,connections; `+connections` adds to them' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l skip-unreachable -d 'While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet: `tenantctl check`); that node\'s tenants are skipped'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l reason-column -d 'Column of --from holding the reason: number or header name [default: 2, when present]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l status -d 'Only tenants in this state' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l restore-users -d 'For tenants suspended without a record of users (the old agent)' -r -f -a "all-internal\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l skip-unreachable -d 'While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet: `tenantctl check`); that node\'s tenants are skipped'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l reason-column -d 'Column of --from holding the reason: number or header name [default: 2, when present]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l status -d 'Only tenants in this state' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l length -d 'Length of the generated passwords (raised to a tenant\'s minimum)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l secrets-file -d 'New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l login -d 'The user\'s login (default: the user behind xmlid base.user_admin)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l skip-unreachable -d 'While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet: `tenantctl check`); that node\'s tenants are skipped'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l generate -d 'Accepted and ignored: bulk passwd always generates'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l from -d 'New tenants: CSV, NAME[,ADMIN_LOGIN[,COMPANY]] (NAME or NODE/NAME) per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l template -d 'Template (default: each node\'s `template`)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l length -d 'Length of the generated admin passwords' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l secrets-file -d 'New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l header -d 'The first record of --from is a header (skipped)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l force -d 'Use templates with open connections, ending them'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l force -d 'Drop tenants that are not suspended'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from drop" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l dir -d 'Where the files go (<tenant>_<UTC time>.zip|.dump)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l keep -d 'Keep the newest N backups of each tenant in DIR, remove the older ones' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l format -r -f -a "zip\t'Odoo\'s zip: dump.sql, filestore/, manifest.json'
dump\t'pg_dump\'s custom format, without the filestore'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l all-matching -d 'Required: the selectors (--node/--label/--match) pick the tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l no-filestore -d 'Leave the filestores out (zip)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l dry-run -d 'List the tenants that would be backed up; write nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from backup" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l now -d 'Do not wait for the nodes\' drop_retention'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l from -d 'Targets: CSV, one TENANT or NODE/TENANT per record (\'-\' = stdin); # comments' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l column -d 'Column of --from holding the tenant: 1-based number or header name [default: 1]' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l match -d 'With --all-matching: only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s u -l modules -d 'Modules to upgrade, comma-separated, `all`, or `outdated` (those whose manifest in odoo.addons_path is newer)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l timeout -d 'Kill each Odoo run after this long (default: the node\'s odoo.timeout, else 30m)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l canary -d 'Upgrade the first N tenants first; when one of them is not upgraded, stop (the rest are skipped)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l per-node -d 'Odoo runs at once on each node (default: the node\'s odoo.max_parallel, else 2)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l failed-to -d 'After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l header -d 'The first record of --from is a header (skipped; names usable in --column)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l all-matching -d 'Every tenant of the selected nodes (--node, --label), or those --match picks; databases that are not Odoo tenants are left out'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l continue -d 'Finish what an earlier run left pending (modules `to upgrade`/`to install`/`to remove`) instead of refusing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from upgrade" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create many tenants from a CSV file: name[,admin_login[,company]] (NODE/NAME or NAME)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "drop" -d 'Soft-drop many (suspended) tenants: one TENANT or NODE/TENANT per line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Back up every tenant of the selected nodes (nightly): one file per tenant in DIR'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Purge many dropped tenants (after drop_retention unless --now)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "upgrade" -d 'Upgrade modules on many tenants, each on a copy swapped in when verified (see `upgrade`)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l set -d 'A threshold for this run, over the inventory\'s [health] (repeatable), e.g. cron_grace=2h' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l textfile -d 'Also write the Prometheus text to PATH, atomically (node_exporter\'s textfile collector)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand health" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l tenant -d 'Only entries about this TENANT or NODE/TENANT' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l since -d 'Only entries of the last DURATION (7d, 12h, 30m) or since an RFC 3339 time' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l action -d 'Only entries of this action (recover: the work of killed runs that a later command finished or undid)' -r -f -a "suspend\t''
reactivate\t''
passwd\t''
create\t''
duplicate\t''
rename\t''
upgrade\t''
drop\t''
undrop\t''
purge\t''
backup\t''
restore\t''
move\t''
recover\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l from -d 'Template database on the same node (default: the node\'s `template`)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l base-url -d 'web.base.url (default: the node\'s base_url pattern)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l admin-login -d 'New login of the admin user (default: the template\'s)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l company -d 'Company name (the main company and its partner)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l length -d 'Length of a generated password' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l password-stdin -d 'Read the admin password from the first line of stdin'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l generate -d 'Generate the admin password and print it once on stdout'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l force -d 'Use a template with open connections, ending them (as Odoo\'s duplicate does)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand create" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l neutralize -d 'As Odoo 16+: scheduled actions and mail servers off, database.is_neutralized, and the neutralize.sql of every installed module (banner view, payment, delivery...)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l force -d 'End the tenant\'s open connections (as Odoo\'s duplicate does)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand duplicate" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand rename" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s u -l modules -d 'Modules to upgrade, comma-separated, `all`, or `outdated` (those whose manifest in odoo.addons_path is newer)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l timeout -d 'Kill Odoo\'s run after this long (default: the node\'s odoo.timeout, else 30m)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l continue -d 'Finish what an earlier run left pending (modules `to upgrade`/`to install`/`to remove`) instead of refusing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l rollback -d 'Swap the kept pre-upgrade copy back in (the upgraded database is soft-dropped)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand upgrade" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l force -d 'Drop a tenant that is not suspended'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand drop" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l force -d 'Undrop a tenant that `move` copied to another node (its copy there is the same tenant: only when that copy is gone)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand undrop" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l now -d 'Do not wait for the node\'s drop_retention'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand purge" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s f -l file -d 'The backup file (default: DIR/<tenant>_<UTC time>.zip or .dump)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l dir -d 'Where the default file name goes (default: the current directory)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l format -r -f -a "zip\t'Odoo\'s zip: dump.sql, filestore/, manifest.json'
dump\t'pg_dump\'s custom format, without the filestore'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l no-filestore -d 'Leave the filestore out (zip)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand backup" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l copy -d 'New identity (database.uuid, database.secret, database.create_date), as Odoo\'s "copy" (default)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l move -d 'Keep the identity: the same tenant, moved'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand restore" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l force -d 'Move a tenant that is not suspended (what changes after the backup is lost)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l no-filestore -d 'Leave filestores alone (no `filestore` setting needed)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l dry-run -d 'Check everything and show the plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand move" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l dir -d 'Write every page (tenantctl.1, tenantctl-list.1, ...) into DIR' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated; prometheus: health only)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''
prometheus\t'Prometheus text exposition (`health` only)'"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l no-headers -d 'Tables and CSV without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "list" -d 'List the tenants of every node with their status'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "passwd" -d 'Change a tenant user\'s password (default: the admin user, base.user_admin)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "suspend" -d 'Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "reactivate" -d 'Reactivate a suspended tenant: switch on exactly the users recorded at suspension'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "show" -d 'Everything about one tenant: node, version, size, suspension, users'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "bulk" -d 'The same over many tenants, for scripts and cron (suspend, reactivate, passwd)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "check" -d 'Check every node: reachable, authenticated, version, latency, tenants, privileges'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "health" -d 'What is quietly broken inside each tenant: jobs, mail, modules, queue_job, identity, PostgreSQL'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "log" -d 'Read the audit log: who changed which tenant, when, with what outcome'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "nodes" -d 'The resolved inventory: where it came from, how each node is reached, where its password comes from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "create" -d 'Create a tenant from a template database (Odoo\'s duplicate, plus a new identity)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "duplicate" -d 'Copy a tenant on its node (e.g. a staging copy), optionally neutralized'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "rename" -d 'Rename a tenant: its database, its filestore, its web.base.url'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "upgrade" -d 'Upgrade modules on a copy of the tenant (odoo-bin -u) and swap it in; on failure the tenant is left as it was'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "drop" -d 'Soft-drop a (suspended) tenant: blocked, renamed NAME.dropped-<UTC time>, kept until purged'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "undrop" -d 'Restore a soft-dropped tenant under its name'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "purge" -d 'Delete a soft-dropped tenant for good (database and filestore) after drop_retention'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "backup" -d 'Back a tenant up in Odoo\'s format (zip: dump.sql, filestore/, manifest.json) or as a pg_dump archive'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "restore" -d 'Restore a backup (tenantctl\'s or Odoo\'s zip, or a pg_dump archive) as a new database'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "move" -d 'Move a (suspended) tenant to another node: backup, restore as --move, verify, soft-drop the source'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "man" -d 'Print a man page (roff), or write one page per command into a directory'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check health log nodes create duplicate rename upgrade drop undrop purge backup restore move completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "create" -d 'Create many tenants from a CSV file: name[,admin_login[,company]] (NODE/NAME or NAME)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "drop" -d 'Soft-drop many (suspended) tenants: one TENANT or NODE/TENANT per line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "backup" -d 'Back up every tenant of the selected nodes (nightly): one file per tenant in DIR'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "purge" -d 'Purge many dropped tenants (after drop_retention unless --now)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "upgrade" -d 'Upgrade modules on many tenants, each on a copy swapped in when verified (see `upgrade`)'

# Node names, tenant names and NODE/ prefixes from `tenantctl __complete`
# (the inventory and the cache `tenantctl list` writes; no network).
function __fish_tenantctl_dynamic
    set -l tokens (commandline -opc) (commandline -ct)
    command $tokens[1] __complete -- $tokens[2..-1] 2>/dev/null
end
complete -c tenantctl -f -a '(__fish_tenantctl_dynamic)'
complete -c tenantctl -l node -r -f -a '(__fish_tenantctl_dynamic)'
complete -c tenantctl -n '__fish_tenantctl_using_subcommand log' -l tenant -r -f -a '(__fish_tenantctl_dynamic)'
