# zsh -f zsh_complete.zsh MODE SCRIPT OUT LINE: types LINE and a Tab into an interactive zsh (under
# zpty) that has the completion SCRIPT, and writes every candidate compadd was given to OUT.
# MODE source: compinit, then `source SCRIPT`. MODE fpath: SCRIPT is _stackctl in a folder of
# $fpath before compinit, as `cmake --install` and the .deb put it (the first Tab autoloads it).
zmodload zsh/zpty
mode=$1 script=$2 out=$3 line=$4
: >| $out
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''"
if [[ $mode == fpath ]]; then
  zpty -w z "fpath=(${(q)script:h} \$fpath); autoload -U compinit && compinit -u -D"
else
  zpty -w z "autoload -U compinit && compinit -u -D; source ${(q)script}"
fi
# Every candidate given to compadd, also the ones a single match inserts on the line.
zpty -w z "compadd() { local -a __hits; builtin compadd -O __hits \"\$@\"; print -rl -- \$__hits >>| ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w z "print -r -- READY"
zpty -r -m z reply '*READY*' >/dev/null
zpty -w -n z "$line"$'\t'
sleep 2
zpty -w z $'\C-u'"print -r -- DONE"
zpty -r -m z reply '*DONE*' >/dev/null
zpty -d z
