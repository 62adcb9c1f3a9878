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
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "list" -d 'List the tenants of every node with their status'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "passwd" -d 'Change a tenant user\'s password (default: the admin user, base.user_admin)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "suspend" -d 'Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "reactivate" -d 'Reactivate a suspended tenant: switch on exactly the users recorded at suspension'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "show" -d 'Everything about one tenant: node, version, size, suspension, users'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "bulk" -d 'The same over many tenants, for scripts and cron (suspend, reactivate, passwd)'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "check" -d 'Check every node: reachable, authenticated, version, latency, tenants, privileges'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "log" -d 'Read the audit log: who changed which tenant, when, with what outcome'
complete -c tenantctl -n "__fish_tenantctl_needs_command" -f -a "nodes" -d 'The resolved inventory: where it came from, how each node is reached, where its password comes from'
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
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l all-databases -d 'Also show databases that are not Odoo tenants (status not-odoo)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l login -d 'The user\'s login (default: the user behind xmlid base.user_admin)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l length -d 'Length of a generated password' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l password-stdin -d 'Read the new password from the first line of stdin'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l generate -d 'Generate a random password and print it once on stdout'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l dry-run -d 'Check everything and show what would be done; write nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand passwd" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l reason -d 'Why (stored in the tenant and the audit log; 1..500 characters)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l layers -d 'Suspension layers instead of the node\'s `suspend_layers`: users,crons,mail,connections; `+connections` adds to them' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l dry-run -d 'Show who would be switched off and which keys written; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand suspend" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l restore-users -d 'For tenants suspended without a record of users (the old agent): switch on every internal user except __system__, templates and public' -r -f -a "all-internal\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l dry-run -d 'Show who would be switched on; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand reactivate" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and not __fish_seen_subcommand_from suspend reactivate passwd help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l from -d 'Targets: one TENANT or NODE/TENANT per line (\'-\' = stdin); # comments, CSV' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l status -d 'Only tenants in this state' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l reason -d 'Reason for every tenant whose line has no second column (1..500 characters)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l layers -d 'Suspension layers instead of the node\'s `suspend_layers`: users,crons,mail,connections; `+connections` adds to them' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from suspend" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l from -d 'Targets: one TENANT or NODE/TENANT per line (\'-\' = stdin); # comments, CSV' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l match -d 'Only tenants whose name matches this glob' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l status -d 'Only tenants in this state' -r -f -a "active\t''
suspended\t''
all\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l restore-users -d 'For tenants suspended without a record of users (the old agent)' -r -f -a "all-internal\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from reactivate" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l from -d 'Targets: one TENANT or NODE/TENANT per line (\'-\' = stdin); # comments, CSV' -r -F
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
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l all-matching -d 'Required when selectors (--match/--status/--node/--label) pick the targets without --from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s y -l yes -d 'Do not ask for confirmation'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l dry-run -d 'Print the per-tenant plan; change nothing'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l generate -d 'Accepted and ignored: bulk passwd always generates'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from passwd" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand bulk; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l tenant -d 'Only entries about this TENANT or NODE/TENANT' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l since -d 'Only entries of the last DURATION (7d, 12h, 30m) or since an RFC 3339 time' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l action -d 'Only entries of this action' -r -f -a "suspend\t''
reactivate\t''
passwd\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand log" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand nodes" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l dir -d 'Write every page (tenantctl.1, tenantctl-list.1, ...) into DIR' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s i -l inventory -d 'Node inventory (TOML)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l node -d 'Only these nodes (repeatable)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l label -d 'Only nodes with this label (repeatable; all must match)' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s o -l output -d 'Output format (wide: a table with every column, nothing truncated)' -r -f -a "table\t''
wide\t''
json\t''
csv\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l concurrency -d 'Most PostgreSQL connections open at once, over all nodes' -r
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l color -d 'Colour: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l audit-log -d 'Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)' -r -F
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l no-headers -d 'Tables without their header line'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s v -l verbose -d 'More detail on stderr (which node, how reached)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s q -l quiet -d 'Only errors on stderr'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -l allow-triggers -d 'Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl\'s privileges)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "list" -d 'List the tenants of every node with their status'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "passwd" -d 'Change a tenant user\'s password (default: the admin user, base.user_admin)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "suspend" -d 'Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "reactivate" -d 'Reactivate a suspended tenant: switch on exactly the users recorded at suspension'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "show" -d 'Everything about one tenant: node, version, size, suspension, users'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "bulk" -d 'The same over many tenants, for scripts and cron (suspend, reactivate, passwd)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "check" -d 'Check every node: reachable, authenticated, version, latency, tenants, privileges'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "log" -d 'Read the audit log: who changed which tenant, when, with what outcome'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "nodes" -d 'The resolved inventory: where it came from, how each node is reached, where its password comes from'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "man" -d 'Print a man page (roff), or write one page per command into a directory'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and not __fish_seen_subcommand_from list passwd suspend reactivate show bulk check log nodes completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "suspend" -d 'Suspend many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "reactivate" -d 'Reactivate many tenants'
complete -c tenantctl -n "__fish_tenantctl_using_subcommand help; and __fish_seen_subcommand_from bulk" -f -a "passwd" -d 'Set generated admin passwords on many tenants, written to a private CSV file'
