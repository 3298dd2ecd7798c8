#!/bin/sh
# Removes a Gigbag installed by install.sh: the files listed in its install-manifest.txt (menu
# entry, icons, AppStream data, the ~/.local/bin/gigbag link) and the app folder itself. Your
# Gigbag data (~/.local/share/Gigbag, or the folder you chose with --data-dir) is kept.
#
# Usage: ~/.local/lib/gigbag/uninstall.sh          (the installed copy knows where it is)
#        ./uninstall.sh [--prefix DIR]             (from the unpacked bundle: ~/.local or DIR)
set -eu

APP_ID=app.gigbag.Gigbag
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

prefix=""
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || { echo "uninstall.sh: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "uninstall.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ -n "$prefix" ]; then
    [ -d "$prefix" ] || { echo "uninstall.sh: $prefix does not exist" >&2; exit 1; }
    appdir="$(CDPATH='' cd -- "$prefix" && pwd -P)/lib/gigbag"
elif [ -f "$here/install-manifest.txt" ]; then
    appdir=$here  # the installed copy
else
    [ -n "${HOME:-}" ] || { echo "uninstall.sh: HOME is not set" >&2; exit 1; }
    appdir="$HOME/.local/lib/gigbag"
fi
manifest="$appdir/install-manifest.txt"
if [ ! -f "$manifest" ]; then
    echo "uninstall.sh: Gigbag is not installed in $appdir (no install-manifest.txt there)" >&2
    exit 1
fi

# Only Gigbag's own files (named app.gigbag.Gigbag.*, or the link to the installed program), so a
# damaged manifest cannot make this delete anything else.
folders=""
while IFS= read -r path || [ -n "$path" ]; do
    case $path in
        ''|'#'*) continue ;;
        /*/"$APP_ID".*) rm -f -- "$path"; echo "removed $path" ;;
        /*/gigbag)
            if [ -L "$path" ] && [ "$(readlink -- "$path")" = "$appdir/gigbag" ]; then
                rm -f -- "$path"; echo "removed $path"
            fi ;;
        *) echo "uninstall.sh: not Gigbag's, left alone: $path" >&2; continue ;;
    esac
    case $path in
        */applications/*) folders="$folders${path%/*}
" ;;
        */icons/hicolor/*) folders="$folders${path%/icons/hicolor/*}/icons/hicolor
" ;;
    esac
done < "$manifest"

rm -rf -- "$appdir"
echo "removed $appdir"

# Tell the desktop (each tool only where it is installed).
printf '%s' "$folders" | sort -u | while IFS= read -r folder; do
    [ -d "$folder" ] || continue
    case $folder in
        */applications)
            if command -v update-desktop-database >/dev/null 2>&1; then
                update-desktop-database -q "$folder" 2>/dev/null || true
            fi ;;
        */icons/hicolor)
            touch -- "$folder" 2>/dev/null || true
            if [ -f "$folder/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
                gtk-update-icon-cache -q -t -f "$folder" 2>/dev/null || true
            fi ;;
    esac
done

echo "Gigbag is uninstalled. Your Gigbag data was kept (by default in ${XDG_DATA_HOME:-\$HOME/.local/share}/Gigbag)."
