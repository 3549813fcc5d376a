#!/usr/bin/env bash
# `make demo`: the provider end to end on this machine, offline. `make install` has already built
# the provider and put it in the implied local mirror (~/.terraform.d/plugins).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
work=target/demo
rm -rf "$work"
mkdir -p "$work"
cp examples/quickstart/*.tf "$work/"

# An isolated CLI configuration: the provider comes from the local mirror that `make install`
# filled, whatever the user's own ~/.terraformrc says.
cat > "$work/cli.tfrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$HOME/.terraform.d/plugins"
    include = ["registry.terraform.io/zerotek/okta-msp"]
  }
  direct {
    exclude = ["registry.terraform.io/zerotek/okta-msp"]
  }
}
CONFIG
export TF_CLI_CONFIG_FILE="$PWD/$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

step "terraform init (offline, from the local mirror; provider v$version)"
terraform -chdir="$work" init -input=false -no-color | grep -E "Installed|Terraform has been successfully initialized"

step "terraform validate"
terraform -chdir="$work" validate -no-color

step "terraform plan of examples/quickstart"
OKTA_MSP_PARTNER_URL=http://127.0.0.1:1/partner OKTA_MSP_PARTNER_TOKEN=demo-token \
  terraform -chdir="$work" plan -input=false -no-color | sed -n '/Terraform will perform/,$p'

step "done"
echo "This build serves the schemas and plans; applying against the emulator arrives with the resources (see CHANGELOG.md)."
