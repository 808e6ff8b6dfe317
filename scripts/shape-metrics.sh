#!/usr/bin/env bash
# Shape of a checkout as a Markdown table, so that the same script run on two commits gives
# comparable before/after figures ("routes are the product"):
#   - bean steps in routes/*.yaml: YAML `bean:` steps (block and inline `{ ref: ..., method: ... }`),
#     `bean:` URIs and `${bean:...}` expressions; the distinct `ref.method` pairs they name;
#   - exchange properties named by string literal in Java: getProperty("…", setProperty("…",
#     removeProperty("…", @ExchangeProperty("…") (System.* and java.util.Properties `props.` calls
#     left out), production code and sandbox/tools apart; distinct exchangeProperty.<name> in routes;
#   - exchangeProperty.providerOperation branches in routes, and the lines of each routes/*.yaml;
#   - `duplicates --most 40 --repo DIR/src/main`: the pairs it counts and the rows it lists;
#   - Java lines: production (src/main/java without the packages io/paygate/sandbox* and tools*) and
#     sandbox/tools wherever they live (those packages in any source tree, src/sandbox, src/tools);
#     tests, JMH and integration tests not counted;
#   - target/payment-gateway.jar if built: size and io/paygate classes (all .class entries, top-level
#     ones without `$`, and those in io/paygate/sandbox* or io/paygate/tools*).
# JMH codec figures: scripts/bench-compare.sh REV.
# Usage: scripts/shape-metrics.sh [DIR]   (default: the checkout this script is in; build the jar
# first with `mvn -q package -DskipTests` for the jar rows)
set -euo pipefail
dir=$(cd "${1:-$(dirname "$0")/..}" && pwd)
routes="$dir/routes"
main="$dir/src/main/java"
[ -d "$routes" ] && [ -d "$main" ] || { echo "no routes/ or src/main/java in $dir" >&2; exit 1; }

rev=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null || echo "no git")
if [ "$rev" != "no git" ] && [ -n "$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  rev="$rev + uncommitted changes"
fi

# Route YAML without comment lines.
yaml_text() { grep -hv '^[[:space:]]*#' "$routes"/*.yaml || true; }

# Bean calls in the routes, one line each: "<kind> <ref>.<method>" with kind step|uri.
bean_calls() {
  for f in "$routes"/*.yaml; do
    awk '
      function ind(s) { match(s, /^[ \t]*(- )?/); return RLENGTH }
      function unq(s) { gsub(/^[ \t"\047]+|[ \t"\047,]+$/, "", s); return s }
      function val(s, key,   r) {          # value of key: in an inline map or a key line
        if (!match(s, key ":[ \t]*[^,}]+")) return ""
        r = substr(s, RSTART, RLENGTH); sub(key ":[ \t]*", "", r); return unq(r)
      }
      function flush() { print "step " (ref != "" ? ref : "?") "." (method != "" ? method : "(default)"); inbean = 0 }
      /^[ \t]*#/ { next }
      {
        line = $0
        if (inbean) {
          if (line ~ /^[ \t]*$/) next
          if (ind(line) <= bind) flush()
          else {
            if (line ~ /^[ \t]*(ref|beanType):/)  ref = val(line, "(ref|beanType)")
            if (line ~ /^[ \t]*method:/)          method = val(line, "method")
            next
          }
        }
        if (line ~ /^[ \t]*(- )?bean:[ \t]*$/) {
          inbean = 1; ref = ""; method = ""; bind = index(line, "bean:") - 1; next
        }
        if (match(line, /bean:[ \t]*\{[^}]*\}/)) {
          m = substr(line, RSTART, RLENGTH)
          r = val(m, "ref"); if (r == "") r = val(m, "beanType")
          mm = val(m, "method")
          print "step " (r != "" ? r : "?") "." (mm != "" ? mm : "(default)")
        }
        s = line
        while (match(s, /(^|[^A-Za-z0-9_])bean:[A-Za-z_$][^ "\047}?]*(\?[^ "\047}]*)?/)) {
          u = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
          sub(/^[^b]*bean:/, "", u)
          name = u; sub(/\?.*/, "", name)
          mm = ""; if (match(u, /method=[^&]*/)) mm = substr(u, RSTART + 7, RLENGTH - 7)
          if (mm == "" && index(name, ".") > 0) { mm = name; sub(/^[^.]*\./, "", mm); sub(/\..*$/, "", name) }
          print "uri " name "." (mm != "" ? mm : "(default)")
        }
      }
      END { if (inbean) flush() }
    ' "$f"
  done
}

# Exchange-property accesses by string literal in the given Java files (on stdin, one a line).
prop_hits() {
  { xargs -r grep -hoE '([A-Za-z_][A-Za-z0-9_]*\.)?(get|set|remove)Property\("[^"]*"|@ExchangeProperty\("[^"]*"' \
      || true; } | grep -vE '^(System|props|properties)\.' || true
}
prop_summary() {  # stdin: hits -> "N (get a, set b, remove c, @ExchangeProperty d; e distinct names)"
  awk '
    { n++; if ($0 ~ /getProperty/) g++; else if ($0 ~ /setProperty/) s++; else if ($0 ~ /removeProperty/) r++; else a++
      k = $0; sub(/^[^"]*"/, "", k); sub(/"$/, "", k); names[k] = 1 }
    END { d = 0; for (k in names) d++
          printf "%d (get %d, set %d, remove %d, @ExchangeProperty %d; %d distinct names)", n, g, s, r, a, d }'
}
lines_of() { xargs -r cat 2>/dev/null | wc -l | tr -d ' '; }

is_side='/io/paygate/(sandbox|tools)[a-z]*/|/src/(sandbox|tools)/'
java_prod() { find "$main" -name '*.java' | grep -vE "$is_side" | sort || true; }
java_side() {
  find "$dir" \( -name target -o -name .git -o -path '*/src/test' -o -path '*/src/jmh' -o -name integration-tests \) -prune \
       -o -name '*.java' -print | grep -E "$is_side" | sort || true
}
java_side_main() { find "$main" -name '*.java' | grep -E "$is_side" | sort || true; }

beans=$(bean_calls)
n_step=$(grep -c '^step ' <<<"$beans" || true)
n_uri=$(grep -c '^uri ' <<<"$beans" || true)
pairs=$(awk 'NF { print $2 }' <<<"$beans" | sort | uniq -c | sort -k1,1nr -k2)
n_pairs=$(grep -c . <<<"$pairs" || true)
n_refs=$(awk 'NF { sub(/\.[^.]*$/, "", $2); print $2 }' <<<"$beans" | sort -u | grep -c . || true)

route_props=$(yaml_text | grep -oE 'exchangeProperty\.[A-Za-z_][A-Za-z0-9_]*' | sed 's/^exchangeProperty\.//' \
  | sort | uniq -c | sort -k1,1nr -k2 || true)
n_route_props=$(grep -c . <<<"$route_props" || true)
yaml_set=$(yaml_text | grep -cE '(^|[[:space:]-])(setProperty|removeProperty|removeProperties):' || true)

opbranch() { { grep -v '^[[:space:]]*#' "$1" || true; } | { grep -o 'exchangeProperty\.providerOperation' || true; } | wc -l | tr -d ' '; }
op_total=0; op_detail=""
for f in "$routes"/*.yaml; do
  c=$(opbranch "$f"); op_total=$((op_total + c))
  if [ "$c" -gt 0 ]; then op_detail="$op_detail${op_detail:+, }$(basename "$f") $c"; fi
done

dups=$(duplicates --most 40 --repo "$dir/src/main" 2>&1 || true)
dups_head=$(head -n 1 <<<"$dups")
dups_pairs=$(grep -oE '^[0-9]+ pairs?' <<<"$dups_head" | grep -oE '^[0-9]+' || echo 0)
dups_rows=$(grep -cE '^D[0-9]+ ' <<<"$dups" || true)
dups_real=$(grep -E '^D[0-9]+ ' <<<"$dups" | grep -vc ' boilerplate' || true)
dups_side=$(grep -E '^D[0-9]+ ' <<<"$dups" | grep -cE '/io/paygate/(sandbox|tools)[a-z]*/' || true)
dups_prod=$(grep -E '^D[0-9]+ ' <<<"$dups" | awk '$2 !~ /\/io\/paygate\/(sandbox|tools)[a-z]*\// && $4 !~ /\/io\/paygate\/(sandbox|tools)[a-z]*\//' | grep -c . || true)

echo "## Shape of \`$(basename "$dir")\` at $rev"
echo
echo "| measure | value |"
echo "| --- | --- |"
echo "| bean calls in routes/*.yaml | $((n_step + n_uri)): $n_step \`bean:\` steps, $n_uri \`bean:\` URIs / \`\${bean:…}\` |"
echo "| distinct bean \`ref.method\` pairs in routes | $n_pairs (on $n_refs beans) |"
echo "| exchange properties by string literal, src/main/java production | $(java_prod | prop_hits | prop_summary) |"
echo "| the same, src/main/java io/paygate/sandbox*, tools* | $(java_side_main | prop_hits | prop_summary) |"
if [ -d "$dir/src/sandbox/java" ]; then
  echo "| the same, src/sandbox/java | $(find "$dir/src/sandbox/java" -name '*.java' | prop_hits | prop_summary) |"
fi
echo "| distinct \`exchangeProperty.<name>\` in routes | $n_route_props |"
echo "| \`setProperty\`/\`removeProperty\` steps in routes | $yaml_set |"
echo "| \`exchangeProperty.providerOperation\` in routes | $op_total${op_detail:+ ($op_detail)} |"
for p in wechat pooul ystpay; do
  if [ -f "$routes/$p.yaml" ]; then
    echo "| lines of routes/$p.yaml | $(wc -l <"$routes/$p.yaml" | tr -d ' ') |"
  else
    echo "| lines of routes/$p.yaml | (no such file) |"
  fi
done
echo "| lines of all routes/*.yaml | $(cat "$routes"/*.yaml | wc -l | tr -d ' ') in $(ls "$routes"/*.yaml | wc -l | tr -d ' ') files |"
echo "| \`duplicates --most 40\` on src/main | $dups_pairs pairs, $dups_rows rows listed ($dups_real not boilerplate, $dups_side with a side in sandbox/tools, $dups_prod production only) |"
echo "| Java lines, production (src/main/java without sandbox/tools) | $(java_prod | lines_of) in $(java_prod | grep -c . || true) files |"
echo "| Java lines, sandbox/tools (wherever they live) | $(java_side | lines_of) in $(java_side | grep -c . || true) files |"
jar="$dir/target/payment-gateway.jar"
if [ -f "$jar" ]; then
  if command -v unzip >/dev/null; then entries=$(unzip -Z1 "$jar"); else entries=$(cd /tmp && jar tf "$jar"); fi
  bytes=$(stat -c %s "$jar")
  cls=$(grep -E '^io/paygate/.*\.class$' <<<"$entries" || true)
  n_cls=$(grep -c . <<<"$cls" || true)
  n_top=$(grep -vc '\$' <<<"$cls" || true)
  n_side=$(grep -cE '^io/paygate/(sandbox|tools)[a-z]*/' <<<"$cls" || true)
  n_side_top=$(grep -E '^io/paygate/(sandbox|tools)[a-z]*/' <<<"$cls" | grep -vc '\$' || true)
  stale=""
  if [ -n "$(find "$dir/src/main" "$dir/pom.xml" -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    stale=" (**older than some of src/main or pom.xml: rebuild**)"
  fi
  echo "| target/payment-gateway.jar | $bytes bytes ($(awk "BEGIN { printf \"%.1f\", $bytes / 1048576 }") MiB)$stale |"
  echo "| io/paygate classes in the jar | $n_cls .class entries ($n_top top-level); sandbox/tools: $n_side ($n_side_top top-level) |"
  if [ -f "$dir/target/original-payment-gateway.jar" ]; then
    echo "| the project's own jar before shading (original-payment-gateway.jar) | $(stat -c %s "$dir/target/original-payment-gateway.jar") bytes |"
  fi
else
  echo "| target/payment-gateway.jar | not built (\`mvn -q package -DskipTests\`) |"
fi
echo
echo "<details><summary>bean \`ref.method\` pairs in routes (calls each)</summary>"
echo
awk 'NF { printf "%s- `%s` %d\n", "", $2, $1 }' <<<"$pairs"
echo
echo "</details>"
echo
echo "<details><summary>\`exchangeProperty.&lt;name&gt;\` in routes (occurrences each)</summary>"
echo
awk 'NF { printf "- `%s` %d\n", $2, $1 }' <<<"$route_props"
echo
echo "</details>"
echo
echo "<details><summary>lines of each routes/*.yaml</summary>"
echo
for f in "$routes"/*.yaml; do echo "- $(basename "$f") $(wc -l <"$f" | tr -d ' ')"; done
echo
echo "</details>"
echo
echo "<details><summary>duplicates --most 40 --repo src/main</summary>"
echo
echo '```'
echo "$dups"
echo '```'
echo
echo "</details>"
