"""Make docs/report.png (1280 px wide) and docs/report-phone.png (400 px) from the demo's report: `make screenshot`.

Runs the demo (the bundled sample through the local Graph API stand-in) into a temporary folder, opens
exports/<consultation>/report.html in headless Chromium at each width and saves the top of the page, so the pictures
in docs/ show the report as the code makes it today. Needs Chromium (`make browser`). Exits non-zero, writing nothing,
when the demo fails or the page logs an error or asks the network for anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "warehouse"))  # the DevTools driver the report tests use

from chromium_cdp import Chromium, find_chromium  # noqa: E402

SHOTS = (("report.png", 1280, 2600), ("report-phone.png", 400, 3000))  # file, viewport width, height kept (px)


def run_demo(folder: Path) -> None:
    """The demo into ``folder`` (warehouse, exports and Prefect's home all there), its output on stderr."""
    env = {**os.environ, "PREFECT_HOME": str(folder / "prefect")}
    for name in ("CIVIC_IDEAS_WAREHOUSE", "CIVIC_IDEAS_EXPORT_DIR"):
        env.pop(name, None)
    cli = Path(sys.executable).with_name("civic-ideas")
    command = [str(cli), "--quiet", "--warehouse", str(folder / "warehouse.duckdb"), "--export-dir",
               str(folder / "exports"), "demo"]
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"screenshot: the demo failed: {done.stderr.strip().splitlines()[-1:]}")


def shoot(report: Path, out_dir: Path) -> list[Path]:
    """One PNG per entry of SHOTS; SystemExit when the page logs errors or makes a remote request."""
    binary = find_chromium()
    if binary is None:
        raise SystemExit("screenshot: chromium is not installed: run `make browser` (as root)")
    made = []
    with tempfile.TemporaryDirectory(prefix="civic-ideas-shots-") as tmp:
        for name, width, height in SHOTS:
            with Chromium(binary) as browser:
                page = browser.load(report.as_uri(), width=width)
                if page.errors or page.remote_requests:
                    raise SystemExit(f"screenshot: {report} logged {page.errors} and fetched {page.remote_requests}")
                made.append(browser.screenshot(Path(tmp) / name, height))
        out_dir.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.move(shot, out_dir / shot.name)) for shot in made]


def main(argv: list[str] | None = None) -> None:
    """Run the demo in a temporary folder and save the report's screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultation", default="motorvejsoverdaekning", help="the demo consultation to show")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where the PNG files go")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="civic-ideas-screenshot-") as tmp:
        run_demo(Path(tmp))
        report = Path(tmp) / "exports" / args.consultation / "report.html"
        if not report.is_file():
            raise SystemExit(f"screenshot: the demo wrote no report for {args.consultation!r}")
        for path in shoot(report, args.out_dir):
            print(path)


if __name__ == "__main__":
    main()
