#!/usr/bin/env bash
# ansible-lint (production profile, offline: no Galaxy) and ansible-playbook --syntax-check of
# the collection in ansible/, found as uzor.appliance through a collections path made here.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$repo/.venv}
collections=$(mktemp -d)
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/uzor"
ln -s "$repo/ansible" "$collections/ansible_collections/uzor/appliance"
export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_LOCAL_TEMP=$collections/tmp ANSIBLE_HOME=$collections/home
cd "$repo/ansible"
echo "ansible-lint --offline --profile production ansible/"
"$venv/bin/ansible-lint" --offline --profile production -q
checked=0
for playbook in playbooks/*.yml; do
    "$venv/bin/ansible-playbook" -i inventory/example.yml --syntax-check "$playbook" >/dev/null
    checked=$((checked + 1))
done
echo "ansible-playbook --syntax-check: $checked playbook(s) OK"
