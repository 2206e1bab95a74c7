# Uzor: one Makefile for building, testing and the demo. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help deps venv test test-unit test-integration test-e2e lint fmt clean
.PHONY: pbx-rootfs

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

deps: ## Install the Debian packages the build and the tests need (root)
	@scripts/install-deps.sh

$(STAMP): pyproject.toml constraints.txt constraints-ansible.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -c constraints.txt -c constraints-ansible.txt -e '.[dev,ansible]'
	@# The whole checkout importable, so packages added later need no reinstall.
	@echo "$(CURDIR)" > "$$($(VPY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/uzor-checkout.pth"
	@touch $@

venv: $(STAMP) ## Create .venv with the project (editable) and its pinned dependencies

test: deps venv ## Install what is missing and run the whole suite
	$(VPY) -m pytest $(PYTEST_ARGS)

test-unit: venv ## Unit tests only (next to the code)
	$(VPY) -m pytest uzor_common licensing configurator appliance $(PYTEST_ARGS)

test-integration: deps venv ## Integration tests against real parts
	$(VPY) -m pytest tests/integration $(PYTEST_ARGS)

test-e2e: deps venv ## End-to-end tests in a booted target system
	$(VPY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: venv ## ruff (lint + format check), mypy, shellcheck, ansible-lint and syntax check of ansible/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@strict="$(wildcard uzor_common licensing configurator appliance)"; [ -z "$$strict" ] || { echo "mypy --strict $$strict"; $(VENV)/bin/mypy --strict $$strict; }
	@loose="$(wildcard testkit)"; [ -z "$$loose" ] || { echo "mypy $$loose"; $(VENV)/bin/mypy $$loose; }
	@files=$$(git ls-files '*.sh' .ci/run); if [ -n "$$files" ]; then shellcheck $$files; fi
	@scripts/ansible-lint.sh

fmt: venv ## Format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

pbx-rootfs: deps ## Build (once) the cached Debian sid root with Asterisk 22 for PBX units
	@scripts/build-pbx-rootfs.sh >/dev/null

# The suite's PBX units run in that root: build it before pytest starts (not inside a test).
test test-integration test-e2e: pbx-rootfs

clean: ## Remove the venv, caches and build output (not the PBX root cache)
	rm -rf $(VENV) build dist test-artifacts .pytest_cache .mypy_cache .ruff_cache

# --- admin (appliance/admin) ---
ADMIN_I18N_ENV := UZOR_ADMIN_CONFIG=$(CURDIR)/appliance/admin/dev/admin.yaml DJANGO_SETTINGS_MODULE=appliance.admin.uzor_admin.settings
.PHONY: admin-messages admin-compilemessages bench-admin

admin-messages: venv ## Admin: refresh the Russian catalog from the sources (then translate the new entries)
	cd appliance/admin && $(ADMIN_I18N_ENV) $(CURDIR)/$(VENV)/bin/django-admin makemessages -l ru --no-location \
		--ignore='tests/*' --ignore='*/tests/*' --ignore=testing.py --ignore=conftest.py --ignore='dev/*'

admin-compilemessages: venv ## Admin: compile the Russian catalog (.po -> .mo, committed)
	cd appliance/admin && $(ADMIN_I18N_ENV) $(CURDIR)/$(VENV)/bin/django-admin compilemessages -l ru

bench-admin: deps venv ## Admin: benchmarks (operators changelist p95 with 5,000 operators, MariaDB)
	$(VPY) bench/admin_changelist.py
	$(VPY) bench/admin_apply.py

.PHONY: bench-reports
bench-reports: deps venv ## Reports: a year of history (5 million call records, 200 operators), each report for a month and a year (p95)
	$(VPY) bench/reports.py

# --- PBX fixtures ---
.PHONY: bench-pbx
bench-pbx: pbx-rootfs venv ## PBX fixtures: root lookup, unit boot/stop and carrier call timings
	$(VPY) bench/pbx_fixtures.py

COMMON_PO := uzor_common/locale/ru/LC_MESSAGES/uzor-common.po
.PHONY: common-messages common-locale
common-messages: ## uzor_common: update the Russian catalog's msgids from the sources (xgettext + msgmerge)
	xgettext --language=Python --from-code=UTF-8 --keyword=_ --keyword=N_ --no-wrap --sort-by-file \
		-o $(COMMON_PO:.po=.pot) $$(find uzor_common -name '*.py' -not -path '*/tests/*' | sort)
	msgmerge --quiet --update --no-wrap --no-fuzzy-matching --backup=none $(COMMON_PO) $(COMMON_PO:.po=.pot)
	rm -f $(COMMON_PO:.po=.pot)
common-locale: ## uzor_common: compile the Russian catalog (.po -> committed .mo; needs gettext)
	msgfmt --check -o $(COMMON_PO:.po=.mo) $(COMMON_PO)

LICENSING_PO := licensing/locale/ru/LC_MESSAGES/uzor-licensing.po
.PHONY: licensing-locale
licensing-locale: ## Recompile the licensing Russian catalogue (.po -> committed .mo; needs gettext)
	msgfmt --check -o $(LICENSING_PO:.po=.mo) $(LICENSING_PO)

.PHONY: configurator-locale
CONFIGURATOR_PO := configurator/locale/ru/LC_MESSAGES/uzor-configurator
configurator-locale: ## Compile the configurator's Russian catalog (.po -> .mo)
	msgfmt --check -o $(CONFIGURATOR_PO).mo $(CONFIGURATOR_PO).po

AGENCY_PO := appliance/agency/locale/ru/LC_MESSAGES/uzor-agency.po
.PHONY: agency-messages agency-locale
agency-messages: ## Agency: update the Russian catalog's msgids from the sources (xgettext + msgmerge)
	xgettext --language=Python --from-code=UTF-8 --keyword=_ --keyword=N_ --no-wrap --sort-by-file \
		-o $(AGENCY_PO:.po=.pot) $$(find appliance/agency -name '*.py' -not -path '*/tests/*' | sort)
	msgmerge --quiet --update --no-wrap --no-fuzzy-matching --backup=none $(AGENCY_PO) $(AGENCY_PO:.po=.pot)
	rm -f $(AGENCY_PO:.po=.pot)
agency-locale: ## Agency: compile the Russian catalog (.po -> committed .mo; needs gettext)
	msgfmt --check -o $(AGENCY_PO:.po=.mo) $(AGENCY_PO)

.PHONY: bench-configurator
bench-configurator: deps venv ## Configurator: first run and re-run times (throwaway MariaDB, real uzor-admin)
	$(VPY) bench/configurator_rerun.py

# Apply Dialplan's benchmark boots two PBX units from the cached root.
bench-admin: pbx-rootfs

bundle: deps venv ## Build dist/uzor_<version>.run signed with VENDOR_KEY=path/to/vendor.key
	@test -n "$(VENDOR_KEY)" || { echo "make bundle VENDOR_KEY=path/to/vendor.key (make demo uses a demo key)"; exit 2; }
	installer/build_run.sh --vendor-key "$(VENDOR_KEY)"

demo: deps venv ## Demo appliance: bundle -> fresh Debian 12 under systemd-nspawn, licensed, seeded
	$(VPY) -m installer.demo up

demo-stop: venv ## Stop and remove the demo appliance
	$(VPY) -m installer.demo down

bench-installer: deps venv ## Installer: bundle size, build time, install+configure time, configurator re-run
	$(VPY) bench/installer.py

.PHONY: bench-load
LOAD_ARGS ?= --operators 400 --rates 10,20,30,40,50 --step 20 --talk 5
bench-load: deps venv pbx-rootfs ## Load: the whole campaign: a 400-operator shift on real Asterisk vs a minimal-dialplan baseline, then every fault under a 200-operator load (~30 min)
	$(VPY) -m bench.load.run $(LOAD_ARGS)
	$(VPY) -m bench.load.faults $(BENCH_LOAD_FAULT_ARGS)

.PHONY: bench-faults
FAULT_ARGS ?= --operators 20 --fault all
BENCH_LOAD_FAULT_ARGS ?= --operators 200 --fault all
bench-faults: deps venv pbx-rootfs ## Load: Asterisk restart, agency SIGKILL, MariaDB stopped, each under load (FAULT_ARGS)
	$(VPY) -m bench.load.faults $(FAULT_ARGS)

.PHONY: bench-acp-fuzz
ACP_FUZZ_ARGS ?= --messages 100000 --sessions 64
bench-acp-fuzz: deps venv pbx-rootfs ## Agency: 100,000 bad ACP messages from 64 sessions at the real agency (answers per code, p99, RSS)
	$(VPY) bench/acp_fuzz.py $(ACP_FUZZ_ARGS)

.PHONY: bench-agency
FANOUT_ARGS ?= --seconds 30
bench-agency: deps venv ## Agency: AMI ingest on both recorded streams; the real agency's fan-out to 2,000 and 5,000 terminals; wallboard latency
	$(VPY) -m pip install -q -c constraints.txt -e '.[bench]'
	$(VPY) bench/ami_ingest.py
	$(VPY) bench/ami_ingest.py --stream bench/data/ami-variety.bin.gz
	$(VPY) -m bench.fanout.run --terminals 2000 $(FANOUT_ARGS)
	$(VPY) -m bench.fanout.run --terminals 5000 $(FANOUT_ARGS)
	@echo "--- secondary (in-process, faked parts named in its output) ---"
	$(VPY) bench/acp_fanout.py
	$(VPY) bench/wallboard.py

# --- webagent ---
# The operator's browser workplace (appliance/webagent): npm ci from the committed lock, esbuild
# bundles it into appliance/webagent/dist/ (static, every URL relative: served under /agent/).
WEBAGENT := appliance/webagent
WEBAGENT_MODULES := $(WEBAGENT)/node_modules/.package-lock.json
.PHONY: webagent test-webagent-js lint-webagent webagent-screenshots bench-webagent

$(WEBAGENT_MODULES): $(WEBAGENT)/package.json $(WEBAGENT)/package-lock.json
	cd $(WEBAGENT) && npm ci --no-audit --no-fund --prefer-offline
	@touch $@

webagent: deps $(WEBAGENT_MODULES) ## Webagent: build the static app into appliance/webagent/dist/
	cd $(WEBAGENT) && node build.mjs

test-webagent-js: deps $(WEBAGENT_MODULES) ## Webagent: unit tests of the pure modules (node --test)
	cd $(WEBAGENT) && node --test test/*.test.js

lint-webagent: deps $(WEBAGENT_MODULES) ## Webagent: type-check the JS (tsc --checkJs, JSDoc)
	cd $(WEBAGENT) && node_modules/.bin/tsc -p jsconfig.json

webagent-screenshots: webagent venv pbx-rootfs ## Webagent: screenshots of every state (1366x768, RU/EN) into docs/webagent/
	UZOR_WEBAGENT_SHOTS=$(CURDIR)/docs/webagent $(VPY) -m pytest tests/integration/webagent/test_walkthrough.py -q

bench-webagent: webagent venv pbx-rootfs ## Webagent: first-load bytes and time to the login form; ring and first-audio latency over 100 calls
	$(VPY) bench/webagent_load.py
	$(VPY) bench/webagent_ring.py 100

# `make test` runs the JS unit tests and builds dist/ (the browser tests serve it); lint type-checks.
test test-integration: webagent test-webagent-js
lint: lint-webagent

# --- admin: the visual call-flow editor ---
# Drawflow and the editor (appliance/admin/callcenter/flow_editor/src) bundled by esbuild from the
# committed npm lock into the admin's static files (git-ignored; nothing is fetched at run time).
FLOW_EDITOR := appliance/admin/callcenter/flow_editor
FLOW_EDITOR_MODULES := $(FLOW_EDITOR)/node_modules/.package-lock.json
FLOW_EDITOR_JS := appliance/admin/callcenter/static/callcenter/flow-editor/editor.js
.PHONY: admin-flow-editor

$(FLOW_EDITOR_MODULES): $(FLOW_EDITOR)/package.json $(FLOW_EDITOR)/package-lock.json
	cd $(FLOW_EDITOR) && npm ci --no-audit --no-fund --prefer-offline
	@touch $@

$(FLOW_EDITOR_JS): $(FLOW_EDITOR_MODULES) $(FLOW_EDITOR)/build.mjs $(wildcard $(FLOW_EDITOR)/src/*)
	cd $(FLOW_EDITOR) && node build.mjs

admin-flow-editor: $(FLOW_EDITOR_JS) ## Admin: bundle the visual call-flow editor into its static files

# The browser tests use the editor: build it before pytest starts.
test test-integration: admin-flow-editor
