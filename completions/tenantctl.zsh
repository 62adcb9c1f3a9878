#compdef tenantctl

autoload -U is-at-least

_tenantctl_static() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_tenantctl_commands" \
"*::: :->tenantctl" \
&& ret=0
    case $state in
    (tenantctl)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tenantctl-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
'--status=[Which tenants]:STATUS:(active suspended all)' \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'--sort=[Sort order]:SORT:(name node size last-login users)' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--all-databases[Also show databases that are not Odoo tenants (status not-odoo)]' \
'--dropped[Show the soft-dropped tenants instead (see drop, undrop, purge)]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(passwd)
_arguments "${_arguments_options[@]}" : \
'--login=[The user'\''s login (default\: the user behind xmlid base.user_admin)]:LOGIN:_default' \
'--length=[Length of a generated password]:LENGTH:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'(--generate)--password-stdin[Read the new password from the first line of stdin]' \
'--generate[Generate a random password and print it once on stdout]' \
'--dry-run[Check everything and show what would be done; write nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(suspend)
_arguments "${_arguments_options[@]}" : \
'--reason=[Why (stored in the tenant and the audit log; 1..500 characters)]:REASON:_default' \
'--layers=[Suspension layers instead of the node'\''s \`suspend_layers\`\: users,crons,mail,connections; \`+connections\` adds to them]:LAYERS:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Show who would be switched off and which keys written; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(reactivate)
_arguments "${_arguments_options[@]}" : \
'--restore-users=[For tenants suspended without a record of users (the old agent)\: switch on every internal user except __system__, templates and public]:POLICY:(all-internal)' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Show who would be switched on; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(bulk)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_tenantctl__subcmd__bulk_commands" \
"*::: :->bulk" \
&& ret=0

    case $state in
    (bulk)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tenantctl-bulk-command-$line[1]:"
        case $line[1] in
            (suspend)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--reason-column=[Column of --from holding the reason\: number or header name \[default\: 2, when present\]]:N|NAME:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'--status=[Only tenants in this state]:STATUS:(active suspended all)' \
'--reason=[Reason for every tenant whose line has none (no or an empty reason column; 1..500 characters)]:REASON:_default' \
'--layers=[Suspension layers instead of the node'\''s \`suspend_layers\`\: users,crons,mail,connections; \`+connections\` adds to them]:LAYERS:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'--all-matching[Required when selectors (--match/--status/--node/--label) pick the targets without --from]' \
'--skip-unreachable[While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet\: \`tenantctl check\`); that node'\''s tenants are skipped]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Print the per-tenant plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(reactivate)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--reason-column=[Column of --from holding the reason\: number or header name \[default\: 2, when present\]]:N|NAME:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'--status=[Only tenants in this state]:STATUS:(active suspended all)' \
'--restore-users=[For tenants suspended without a record of users (the old agent)]:POLICY:(all-internal)' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'--all-matching[Required when selectors (--match/--status/--node/--label) pick the targets without --from]' \
'--skip-unreachable[While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet\: \`tenantctl check\`); that node'\''s tenants are skipped]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Print the per-tenant plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(passwd)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--reason-column=[Column of --from holding the reason\: number or header name \[default\: 2, when present\]]:N|NAME:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'--status=[Only tenants in this state]:STATUS:(active suspended all)' \
'--length=[Length of the generated passwords (raised to a tenant'\''s minimum)]:LENGTH:_default' \
'--secrets-file=[New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password]:PATH:_files' \
'--login=[The user'\''s login (default\: the user behind xmlid base.user_admin)]:LOGIN:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'--all-matching[Required when selectors (--match/--status/--node/--label) pick the targets without --from]' \
'--skip-unreachable[While a node cannot be reached, act on unqualified names where found (tenant names are unique across the fleet\: \`tenantctl check\`); that node'\''s tenants are skipped]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Print the per-tenant plan; change nothing]' \
'--generate[Accepted and ignored\: bulk passwd always generates]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
'--from=[New tenants\: CSV, NAME\[,ADMIN_LOGIN\[,COMPANY\]\] (NAME or NODE/NAME) per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--template=[Template (default\: each node'\''s \`template\`)]:TEMPLATE:_default' \
'--length=[Length of the generated admin passwords]:LENGTH:_default' \
'--secrets-file=[New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password]:PATH:_files' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped)]' \
'--force[Use templates with open connections, ending them]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(drop)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'--force[Drop tenants that are not suspended]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(backup)
_arguments "${_arguments_options[@]}" : \
'--dir=[Where the files go (<tenant>_<UTC time>.zip|.dump)]:DIR:_files' \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'--keep=[Keep the newest N backups of each tenant in DIR, remove the older ones]:N:_default' \
'--format=[]:FORMAT:((zip\:"Odoo'\''s zip\: dump.sql, filestore/, manifest.json"
dump\:"pg_dump'\''s custom format, without the filestore"))' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--all-matching[Required\: the selectors (--node/--label/--match) pick the tenants]' \
'--no-filestore[Leave the filestores out (zip)]' \
'--dry-run[List the tenants that would be backed up; write nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(purge)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'--now[Do not wait for the nodes'\'' drop_retention]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
'--from=[Targets\: CSV, one TENANT or NODE/TENANT per record ('\''-'\'' = stdin); # comments]:FILE:_files' \
'--column=[Column of --from holding the tenant\: 1-based number or header name \[default\: 1\]]:N|NAME:_default' \
'--match=[With --all-matching\: only tenants whose name matches this glob]:GLOB:_default' \
'-u+[Modules to upgrade, comma-separated, \`all\`, or \`outdated\` (those whose manifest in odoo.addons_path is newer)]:MODULES:_default' \
'--modules=[Modules to upgrade, comma-separated, \`all\`, or \`outdated\` (those whose manifest in odoo.addons_path is newer)]:MODULES:_default' \
'--timeout=[Kill each Odoo run after this long (default\: the node'\''s odoo.timeout, else 30m)]:DURATION:_default' \
'--canary=[Upgrade the first N tenants first; when one of them is not upgraded, stop (the rest are skipped)]:N:_default' \
'--per-node=[Odoo runs at once on each node (default\: the node'\''s odoo.max_parallel, else 2)]:N:_default' \
'--failed-to=[After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)]:FILE:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--header[The first record of --from is a header (skipped; names usable in --column)]' \
'(--from)--all-matching[Every tenant of the selected nodes (--node, --label), or those --match picks; databases that are not Odoo tenants are left out]' \
'--continue[Finish what an earlier run left pending (modules \`to upgrade\`/\`to install\`/\`to remove\`) instead of refusing]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_tenantctl__subcmd__bulk__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tenantctl-bulk-help-command-$line[1]:"
        case $line[1] in
            (suspend)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reactivate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(passwd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(drop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(backup)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(purge)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(check)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(health)
_arguments "${_arguments_options[@]}" : \
'--match=[Only tenants whose name matches this glob]:GLOB:_default' \
'*--set=[A threshold for this run, over the inventory'\''s \[health\] (repeatable), e.g. cron_grace=2h]:KEY=VALUE:_default' \
'--textfile=[Also write the Prometheus text to PATH, atomically (node_exporter'\''s textfile collector)]:PATH:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::tenants -- Only these tenants (TENANT or NODE/TENANT; default\: every tenant):_default' \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
'--tenant=[Only entries about this TENANT or NODE/TENANT]:TENANT:_default' \
'--since=[Only entries of the last DURATION (7d, 12h, 30m) or since an RFC 3339 time]:WHEN:_default' \
'--action=[Only entries of this action (recover\: the work of killed runs that a later command finished or undid)]:ACTION:(suspend reactivate passwd create duplicate rename upgrade drop undrop purge backup restore move recover)' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(nodes)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
'--from=[Template database on the same node (default\: the node'\''s \`template\`)]:TEMPLATE:_default' \
'--base-url=[web.base.url (default\: the node'\''s base_url pattern)]:URL:_default' \
'--admin-login=[New login of the admin user (default\: the template'\''s)]:LOGIN:_default' \
'--company=[Company name (the main company and its partner)]:NAME:_default' \
'--length=[Length of a generated password]:LENGTH:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'(--generate)--password-stdin[Read the admin password from the first line of stdin]' \
'--generate[Generate the admin password and print it once on stdout]' \
'--force[Use a template with open connections, ending them (as Odoo'\''s duplicate does)]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':target -- NODE/NAME (NAME alone when one node is selected):_default' \
&& ret=0
;;
(duplicate)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--neutralize[As Odoo 16+\: scheduled actions and mail servers off, database.is_neutralized, and the neutralize.sql of every installed module (banner view, payment, delivery...)]' \
'--force[End the tenant'\''s open connections (as Odoo'\''s duplicate does)]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
':new -- The copy'\''s name (same node):_default' \
&& ret=0
;;
(rename)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
':new -- The new name:_default' \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
'-u+[Modules to upgrade, comma-separated, \`all\`, or \`outdated\` (those whose manifest in odoo.addons_path is newer)]:MODULES:_default' \
'--modules=[Modules to upgrade, comma-separated, \`all\`, or \`outdated\` (those whose manifest in odoo.addons_path is newer)]:MODULES:_default' \
'--timeout=[Kill Odoo'\''s run after this long (default\: the node'\''s odoo.timeout, else 30m)]:DURATION:_default' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--continue[Finish what an earlier run left pending (modules \`to upgrade\`/\`to install\`/\`to remove\`) instead of refusing]' \
'(-u --modules --timeout --continue)--rollback[Swap the kept pre-upgrade copy back in (the upgraded database is soft-dropped)]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(drop)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--force[Drop a tenant that is not suspended]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(undrop)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--force[Undrop a tenant that \`move\` copied to another node (its copy there is the same tenant\: only when that copy is gone)]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- The dropped tenant\: its name or its dropped name (NODE/ allowed):_default' \
&& ret=0
;;
(purge)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--now[Do not wait for the node'\''s drop_retention]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- The dropped tenant\: its name or its dropped name (NODE/ allowed):_default' \
&& ret=0
;;
(backup)
_arguments "${_arguments_options[@]}" : \
'-f+[The backup file (default\: DIR/<tenant>_<UTC time>.zip or .dump)]:FILE:_files' \
'--file=[The backup file (default\: DIR/<tenant>_<UTC time>.zip or .dump)]:FILE:_files' \
'(-f --file)--dir=[Where the default file name goes (default\: the current directory)]:DIR:_files' \
'--format=[]:FORMAT:((zip\:"Odoo'\''s zip\: dump.sql, filestore/, manifest.json"
dump\:"pg_dump'\''s custom format, without the filestore"))' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-filestore[Leave the filestore out (zip)]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
&& ret=0
;;
(restore)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'(--move)--copy[New identity (database.uuid, database.secret, database.create_date), as Odoo'\''s "copy" (default)]' \
'--move[Keep the identity\: the same tenant, moved]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':target -- NODE/NAME (NAME alone when one node is selected):_default' \
':file -- The backup\: a zip (tenantctl'\''s or Odoo'\''s) or a pg_dump custom archive:_files' \
&& ret=0
;;
(move)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--force[Move a tenant that is not suspended (what changes after the backup is lost)]' \
'--no-filestore[Leave filestores alone (no \`filestore\` setting needed)]' \
'-y[Do not ask for confirmation]' \
'--yes[Do not ask for confirmation]' \
'--dry-run[Check everything and show the plan; change nothing]' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tenant -- TENANT or NODE/TENANT:_default' \
':node -- The node to move it to:_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--dir=[Write every page (tenantctl.1, tenantctl-list.1, ...) into DIR]:DIR:_files' \
'-i+[Node inventory (TOML)]:PATH:_files' \
'--inventory=[Node inventory (TOML)]:PATH:_files' \
'*--node=[Only these nodes (repeatable)]:NAME:_default' \
'*--label=[Only nodes with this label (repeatable; all must match)]:KEY=VALUE:_default' \
'-o+[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--output=[Output format (wide\: a table with every column, nothing truncated; prometheus\: health only)]:OUTPUT:((table\:""
wide\:""
json\:""
csv\:""
prometheus\:"Prometheus text exposition (\`health\` only)"))' \
'--concurrency=[Most PostgreSQL connections open at once, over all nodes]:N:_default' \
'--color=[Colour\: auto (terminal and no NO_COLOR), always, never]:COLOR:(auto always never)' \
'--audit-log=[Audit log file (default \$XDG_STATE_HOME/tenantctl/audit.jsonl)]:PATH:_files' \
'--no-headers[Tables and CSV without their header line]' \
'-v[More detail on stderr (which node, how reached)]' \
'--verbose[More detail on stderr (which node, how reached)]' \
'(-v --verbose)-q[Only errors on stderr]' \
'(-v --verbose)--quiet[Only errors on stderr]' \
'--allow-triggers[Write even when the tenant put triggers, rules or its own functions on the tables tenantctl writes (they run with tenantctl'\''s privileges)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::page -- The page of this command (list, bulk-suspend, ...); default\: tenantctl(1):_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_tenantctl__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tenantctl-help-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(passwd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(suspend)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reactivate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(bulk)
_arguments "${_arguments_options[@]}" : \
":: :_tenantctl__subcmd__help__subcmd__bulk_commands" \
"*::: :->bulk" \
&& ret=0

    case $state in
    (bulk)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:tenantctl-help-bulk-command-$line[1]:"
        case $line[1] in
            (suspend)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reactivate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(passwd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(drop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(backup)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(purge)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(health)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(nodes)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(create)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(duplicate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rename)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(upgrade)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(drop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(undrop)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(purge)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(backup)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(restore)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(move)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_tenantctl_commands] )) ||
_tenantctl_commands() {
    local commands; commands=(
'list:List the tenants of every node with their status' \
'passwd:Change a tenant user'\''s password (default\: the admin user, base.user_admin)' \
'suspend:Suspend a tenant (e.g. for non-payment)\: switch off its active users, recording who they were' \
'reactivate:Reactivate a suspended tenant\: switch on exactly the users recorded at suspension' \
'show:Everything about one tenant\: node, version, size, suspension, users' \
'bulk:The same over many tenants, for scripts and cron (suspend, reactivate, passwd)' \
'check:Check every node\: reachable, authenticated, version, latency, tenants, privileges' \
'health:What is quietly broken inside each tenant\: jobs, mail, modules, queue_job, identity, PostgreSQL' \
'log:Read the audit log\: who changed which tenant, when, with what outcome' \
'nodes:The resolved inventory\: where it came from, how each node is reached, where its password comes from' \
'create:Create a tenant from a template database (Odoo'\''s duplicate, plus a new identity)' \
'duplicate:Copy a tenant on its node (e.g. a staging copy), optionally neutralized' \
'rename:Rename a tenant\: its database, its filestore, its web.base.url' \
'upgrade:Upgrade modules on a copy of the tenant (odoo-bin -u) and swap it in; on failure the tenant is left as it was' \
'drop:Soft-drop a (suspended) tenant\: blocked, renamed NAME.dropped-<UTC time>, kept until purged' \
'undrop:Restore a soft-dropped tenant under its name' \
'purge:Delete a soft-dropped tenant for good (database and filestore) after drop_retention' \
'backup:Back a tenant up in Odoo'\''s format (zip\: dump.sql, filestore/, manifest.json) or as a pg_dump archive' \
'restore:Restore a backup (tenantctl'\''s or Odoo'\''s zip, or a pg_dump archive) as a new database' \
'move:Move a (suspended) tenant to another node\: backup, restore as --move, verify, soft-drop the source' \
'completions:Print shell completions (bash, zsh, fish, elvish, powershell)' \
'man:Print a man page (roff), or write one page per command into a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'tenantctl commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__backup_commands] )) ||
_tenantctl__subcmd__backup_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl backup commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk_commands] )) ||
_tenantctl__subcmd__bulk_commands() {
    local commands; commands=(
'suspend:Suspend many tenants' \
'reactivate:Reactivate many tenants' \
'passwd:Set generated admin passwords on many tenants, written to a private CSV file' \
'create:Create many tenants from a CSV file\: name\[,admin_login\[,company\]\] (NODE/NAME or NAME)' \
'drop:Soft-drop many (suspended) tenants\: one TENANT or NODE/TENANT per line' \
'backup:Back up every tenant of the selected nodes (nightly)\: one file per tenant in DIR' \
'purge:Purge many dropped tenants (after drop_retention unless --now)' \
'upgrade:Upgrade modules on many tenants, each on a copy swapped in when verified (see \`upgrade\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'tenantctl bulk commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__backup_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__backup_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk backup commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__create_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__create_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk create commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__drop_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__drop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk drop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help_commands() {
    local commands; commands=(
'suspend:Suspend many tenants' \
'reactivate:Reactivate many tenants' \
'passwd:Set generated admin passwords on many tenants, written to a private CSV file' \
'create:Create many tenants from a CSV file\: name\[,admin_login\[,company\]\] (NODE/NAME or NAME)' \
'drop:Soft-drop many (suspended) tenants\: one TENANT or NODE/TENANT per line' \
'backup:Back up every tenant of the selected nodes (nightly)\: one file per tenant in DIR' \
'purge:Purge many dropped tenants (after drop_retention unless --now)' \
'upgrade:Upgrade modules on many tenants, each on a copy swapped in when verified (see \`upgrade\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'tenantctl bulk help commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__backup_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__backup_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help backup commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__create_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__create_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help create commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__drop_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__drop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help drop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__help_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help help commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__passwd_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__passwd_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help passwd commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__purge_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__purge_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help purge commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__reactivate_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__reactivate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help reactivate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__suspend_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__suspend_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help suspend commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__help__subcmd__upgrade_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__help__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk help upgrade commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__passwd_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__passwd_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk passwd commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__purge_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__purge_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk purge commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__reactivate_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__reactivate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk reactivate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__suspend_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__suspend_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk suspend commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__bulk__subcmd__upgrade_commands] )) ||
_tenantctl__subcmd__bulk__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl bulk upgrade commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__check_commands] )) ||
_tenantctl__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl check commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__completions_commands] )) ||
_tenantctl__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl completions commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__create_commands] )) ||
_tenantctl__subcmd__create_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl create commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__drop_commands] )) ||
_tenantctl__subcmd__drop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl drop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__duplicate_commands] )) ||
_tenantctl__subcmd__duplicate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl duplicate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__health_commands] )) ||
_tenantctl__subcmd__health_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl health commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help_commands] )) ||
_tenantctl__subcmd__help_commands() {
    local commands; commands=(
'list:List the tenants of every node with their status' \
'passwd:Change a tenant user'\''s password (default\: the admin user, base.user_admin)' \
'suspend:Suspend a tenant (e.g. for non-payment)\: switch off its active users, recording who they were' \
'reactivate:Reactivate a suspended tenant\: switch on exactly the users recorded at suspension' \
'show:Everything about one tenant\: node, version, size, suspension, users' \
'bulk:The same over many tenants, for scripts and cron (suspend, reactivate, passwd)' \
'check:Check every node\: reachable, authenticated, version, latency, tenants, privileges' \
'health:What is quietly broken inside each tenant\: jobs, mail, modules, queue_job, identity, PostgreSQL' \
'log:Read the audit log\: who changed which tenant, when, with what outcome' \
'nodes:The resolved inventory\: where it came from, how each node is reached, where its password comes from' \
'create:Create a tenant from a template database (Odoo'\''s duplicate, plus a new identity)' \
'duplicate:Copy a tenant on its node (e.g. a staging copy), optionally neutralized' \
'rename:Rename a tenant\: its database, its filestore, its web.base.url' \
'upgrade:Upgrade modules on a copy of the tenant (odoo-bin -u) and swap it in; on failure the tenant is left as it was' \
'drop:Soft-drop a (suspended) tenant\: blocked, renamed NAME.dropped-<UTC time>, kept until purged' \
'undrop:Restore a soft-dropped tenant under its name' \
'purge:Delete a soft-dropped tenant for good (database and filestore) after drop_retention' \
'backup:Back a tenant up in Odoo'\''s format (zip\: dump.sql, filestore/, manifest.json) or as a pg_dump archive' \
'restore:Restore a backup (tenantctl'\''s or Odoo'\''s zip, or a pg_dump archive) as a new database' \
'move:Move a (suspended) tenant to another node\: backup, restore as --move, verify, soft-drop the source' \
'completions:Print shell completions (bash, zsh, fish, elvish, powershell)' \
'man:Print a man page (roff), or write one page per command into a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'tenantctl help commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__backup_commands] )) ||
_tenantctl__subcmd__help__subcmd__backup_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help backup commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk_commands() {
    local commands; commands=(
'suspend:Suspend many tenants' \
'reactivate:Reactivate many tenants' \
'passwd:Set generated admin passwords on many tenants, written to a private CSV file' \
'create:Create many tenants from a CSV file\: name\[,admin_login\[,company\]\] (NODE/NAME or NAME)' \
'drop:Soft-drop many (suspended) tenants\: one TENANT or NODE/TENANT per line' \
'backup:Back up every tenant of the selected nodes (nightly)\: one file per tenant in DIR' \
'purge:Purge many dropped tenants (after drop_retention unless --now)' \
'upgrade:Upgrade modules on many tenants, each on a copy swapped in when verified (see \`upgrade\`)' \
    )
    _describe -t commands 'tenantctl help bulk commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__backup_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__backup_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk backup commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__create_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__create_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk create commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__drop_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__drop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk drop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__passwd_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__passwd_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk passwd commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__purge_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__purge_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk purge commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__reactivate_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__reactivate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk reactivate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__suspend_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__suspend_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk suspend commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__bulk__subcmd__upgrade_commands] )) ||
_tenantctl__subcmd__help__subcmd__bulk__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help bulk upgrade commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__check_commands] )) ||
_tenantctl__subcmd__help__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help check commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__completions_commands] )) ||
_tenantctl__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help completions commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__create_commands] )) ||
_tenantctl__subcmd__help__subcmd__create_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help create commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__drop_commands] )) ||
_tenantctl__subcmd__help__subcmd__drop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help drop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__duplicate_commands] )) ||
_tenantctl__subcmd__help__subcmd__duplicate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help duplicate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__health_commands] )) ||
_tenantctl__subcmd__help__subcmd__health_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help health commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__help_commands] )) ||
_tenantctl__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help help commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__list_commands] )) ||
_tenantctl__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help list commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__log_commands] )) ||
_tenantctl__subcmd__help__subcmd__log_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help log commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__man_commands] )) ||
_tenantctl__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help man commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__move_commands] )) ||
_tenantctl__subcmd__help__subcmd__move_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help move commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__nodes_commands] )) ||
_tenantctl__subcmd__help__subcmd__nodes_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help nodes commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__passwd_commands] )) ||
_tenantctl__subcmd__help__subcmd__passwd_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help passwd commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__purge_commands] )) ||
_tenantctl__subcmd__help__subcmd__purge_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help purge commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__reactivate_commands] )) ||
_tenantctl__subcmd__help__subcmd__reactivate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help reactivate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__rename_commands] )) ||
_tenantctl__subcmd__help__subcmd__rename_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help rename commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__restore_commands] )) ||
_tenantctl__subcmd__help__subcmd__restore_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help restore commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__show_commands] )) ||
_tenantctl__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help show commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__suspend_commands] )) ||
_tenantctl__subcmd__help__subcmd__suspend_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help suspend commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__undrop_commands] )) ||
_tenantctl__subcmd__help__subcmd__undrop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help undrop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__help__subcmd__upgrade_commands] )) ||
_tenantctl__subcmd__help__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl help upgrade commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__list_commands] )) ||
_tenantctl__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl list commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__log_commands] )) ||
_tenantctl__subcmd__log_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl log commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__man_commands] )) ||
_tenantctl__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl man commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__move_commands] )) ||
_tenantctl__subcmd__move_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl move commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__nodes_commands] )) ||
_tenantctl__subcmd__nodes_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl nodes commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__passwd_commands] )) ||
_tenantctl__subcmd__passwd_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl passwd commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__purge_commands] )) ||
_tenantctl__subcmd__purge_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl purge commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__reactivate_commands] )) ||
_tenantctl__subcmd__reactivate_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl reactivate commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__rename_commands] )) ||
_tenantctl__subcmd__rename_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl rename commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__restore_commands] )) ||
_tenantctl__subcmd__restore_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl restore commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__show_commands] )) ||
_tenantctl__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl show commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__suspend_commands] )) ||
_tenantctl__subcmd__suspend_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl suspend commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__undrop_commands] )) ||
_tenantctl__subcmd__undrop_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl undrop commands' commands "$@"
}
(( $+functions[_tenantctl__subcmd__upgrade_commands] )) ||
_tenantctl__subcmd__upgrade_commands() {
    local commands; commands=()
    _describe -t commands 'tenantctl upgrade commands' commands "$@"
}

# Node names, tenant names and NODE/ prefixes from `tenantctl __complete`
# (the inventory and the cache `tenantctl list` writes; no network); else
# clap's completion above.
_tenantctl() {
    local -a dyn slash plain
    dyn=(${(f)"$(${words[1]} __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)"})
    if (( ${#dyn} )); then
        slash=(${(M)dyn:#*/})
        plain=(${dyn:#*/})
        (( ${#plain} )) && compadd -- "${plain[@]}"
        (( ${#slash} )) && compadd -S '' -- "${slash[@]}"
        return 0
    fi
    _tenantctl_static "$@"
}

if [ "$funcstack[1]" = "_tenantctl" ]; then
    _tenantctl "$@"
else
    compdef _tenantctl tenantctl
fi
