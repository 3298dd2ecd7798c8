#!/bin/sh
# Installs this Gigbag bundle for the current user, no root needed:
#   the app          -> ~/.local/lib/gigbag/          (a copy of this folder)
#   the command      -> ~/.local/bin/gigbag           (a symbolic link)
#   the menu entry   -> ~/.local/share/applications/app.gigbag.Gigbag.desktop
#   the icons        -> ~/.local/share/icons/hicolor/<size>/apps/app.gigbag.Gigbag.{png,svg}
#   AppStream data   -> ~/.local/share/metainfo/app.gigbag.Gigbag.metainfo.xml
# ($XDG_DATA_HOME replaces ~/.local/share when set.) Every file placed outside the app folder is
# listed in ~/.local/lib/gigbag/install-manifest.txt, which uninstall.sh reads. Installing again
# replaces the previous installation. Your Gigbag data (~/.local/share/Gigbag) is never touched.
#
# Usage: ./install.sh [--prefix DIR]     (DIR instead of ~/.local: DIR/lib/gigbag, DIR/bin, DIR/share)
set -eu

APP_ID=app.gigbag.Gigbag
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

# Removes the files a manifest lists: only Gigbag's own (named app.gigbag.Gigbag.*, or the link to
# the installed program), so a damaged manifest cannot make it delete anything else.
remove_listed() {
    while IFS= read -r path || [ -n "$path" ]; do
        case $path in
            ''|'#'*) continue ;;
            /*/"$APP_ID".*) rm -f -- "$path" ;;
            /*/gigbag) [ -L "$path" ] && [ "$(readlink -- "$path")" = "$appdir/gigbag" ] && rm -f -- "$path" ;;
        esac
    done < "$1"
    return 0
}

prefix=""
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ -z "$prefix" ]; then
    [ -n "${HOME:-}" ] || { echo "install.sh: HOME is not set" >&2; exit 1; }
    prefix="$HOME/.local"
    data="${XDG_DATA_HOME:-$HOME/.local/share}"
else
    mkdir -p -- "$prefix"
    prefix=$(CDPATH='' cd -- "$prefix" && pwd -P)
    data="$prefix/share"
fi
# shellcheck disable=SC1003  # the pattern '\' is a literal backslash, as meant
case $prefix$data in
    *'"'*|*'`'*|*'$'*|*'\'*|*'%'*) echo "install.sh: the install folder must not contain \" \` \$ \\ or %" >&2; exit 1 ;;
esac

appdir="$prefix/lib/gigbag"
bindir="$prefix/bin"
manifest="$appdir/install-manifest.txt"

if [ ! -x "$here/gigbag" ] || [ ! -d "$here/share/applications" ]; then
    echo "install.sh: run me from the unpacked Gigbag folder (no gigbag program beside me in $here)" >&2
    exit 1
fi
if [ "$here" = "$appdir" ]; then
    echo "Gigbag is already installed in $appdir (this is the installed copy)."
    exit 0
fi

# 1. The app: copy beside the old one, then swap, so a failed copy leaves the old one working.
mkdir -p -- "$prefix/lib"
rm -rf -- "$appdir.new"
cp -R -- "$here" "$appdir.new"
rm -f -- "$appdir.new/install-manifest.txt"
if [ -e "$appdir" ]; then
    [ -f "$manifest" ] && remove_listed "$manifest"  # what the previous installation placed
    rm -rf -- "$appdir"
fi
mv -- "$appdir.new" "$appdir"

installed=""
record() { installed="$installed$1
"; }

# 2. The command.
mkdir -p -- "$bindir"
link="$bindir/gigbag"
if [ -L "$link" ] || [ ! -e "$link" ]; then
    ln -sfn -- "$appdir/gigbag" "$link"
    record "$link"
else
    echo "note: $link exists and is not a link to Gigbag; left as it is (start Gigbag from the menu or $appdir/gigbag)"
fi

# 3. The menu entry, pointing at the installed program.
mkdir -p -- "$data/applications"
desktop="$data/applications/$APP_ID.desktop"
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        Exec=*) printf 'Exec="%s"\n' "$appdir/gigbag" ;;
        TryExec=*) printf 'TryExec=%s\n' "$appdir/gigbag" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$appdir/share/applications/$APP_ID.desktop" > "$desktop.tmp"
mv -- "$desktop.tmp" "$desktop"
chmod 644 "$desktop"
record "$desktop"

# 4. Icons and AppStream metadata.
for icon in "$appdir"/share/icons/hicolor/*/apps/"$APP_ID".*; do
    size_dir=$(basename -- "$(dirname -- "$(dirname -- "$icon")")")
    target="$data/icons/hicolor/$size_dir/apps/$(basename -- "$icon")"
    mkdir -p -- "$(dirname -- "$target")"
    cp -- "$icon" "$target"
    record "$target"
done
mkdir -p -- "$data/metainfo"
cp -- "$appdir/share/metainfo/$APP_ID.metainfo.xml" "$data/metainfo/$APP_ID.metainfo.xml"
record "$data/metainfo/$APP_ID.metainfo.xml"

{
    echo "# Files Gigbag's install.sh placed outside $appdir; uninstall.sh removes them."
    printf '%s' "$installed"
} > "$manifest"

# 5. Tell the desktop (each tool only where it is installed; none is required).
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" 2>/dev/null || true
fi
touch -- "$data/icons/hicolor" 2>/dev/null || true
if [ -f "$data/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" 2>/dev/null || true
fi

version=$("$appdir/gigbag" --version 2>/dev/null || echo "gigbag")
echo "Installed $version:"
echo "  app:        $appdir"
echo "  command:    $link"
echo "  menu entry: $desktop"
echo "Start it from your applications menu (Gigbag), or run: gigbag"
case ":${PATH:-}:" in
    *":$bindir:"*) ;;
    *) echo "note: $bindir is not on your PATH; add it to run 'gigbag' from a terminal" ;;
esac
echo "Uninstall with: $appdir/uninstall.sh"
