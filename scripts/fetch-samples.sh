#!/usr/bin/env bash
# Places public sample files that other projects committed (no licence stated, so not in this
# repository) into ./samples-local/ (ignored by git), for the tests that check them when present:
#   crates/formats/tests/uke_delivery.rs    the_official_sample_when_present
#   crates/formats/tests/checkup_xml_real.rs the_official_hc08_sample_when_present
#
# Sources (the 支払基金's own samples, as committed in mysd33/spark_dev):
#   testdata/input/receipt/11_RECODEINFO_MED.CSV   insurer-side 医科 delivery, 19 receipts
#   testdata/input/tokutei/kensin_kihon_tokutei.xml hc08 特定健診 document (2013)
#
# Usage: scripts/fetch-samples.sh [GIT_DIR]
# GIT_DIR is a git directory of mysd33/spark_dev (a clone, or a snapshot such as
# /work/.mirror/mysd33+spark_dev/repo); without it the script clones the repository, which needs
# network access to GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
out=samples-local
mkdir -p "$out"
chmod 700 "$out"
src="${1:-}"
if [ -z "$src" ]; then
  for guess in /work/.mirror/mysd33+spark_dev/repo; do
    [ -d "$guess" ] && src="$guess" && break
  done
fi
if [ -z "$src" ]; then
  tmp=$(mktemp -d)
  git clone --depth 1 --quiet https://github.com/mysd33/spark_dev "$tmp/spark_dev"
  src="$tmp/spark_dev/.git"
fi
git --git-dir="$src" show HEAD:testdata/input/receipt/11_RECODEINFO_MED.CSV > "$out/11_RECODEINFO_MED.CSV"
git --git-dir="$src" show HEAD:testdata/input/tokutei/kensin_kihon_tokutei.xml > "$out/kensin_kihon_tokutei.xml"
chmod 600 "$out"/*
sha256sum "$out"/*
echo "placed in $out/; run: cargo test -p kenpo-formats --test uke_delivery --test checkup_xml_real"
