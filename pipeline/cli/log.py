"""`paperbrief log`: what an output folder's run store holds (papers, prompts, models, when, tokens, cost)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ..render.escape import terminal_line
from .common import EXIT_OK, store_path, usage


def _log(args: argparse.Namespace) -> int:
    """Show what the run store of OUTPUT_DIR holds: papers, prompt fingerprints, models, when, tokens and cost."""
    from ..run.store import RunStore
    from .options import build_settings

    if args.limit is not None and args.limit < 1:
        return usage("--limit must be 1 or more")
    path = store_path(Path(args.output_dir))
    if not path.is_file():
        return usage(f"{args.output_dir}: no run store here ({path.name}); paperbrief run writes one")
    store = RunStore(path, readonly=True)
    try:
        every, shown = store.log(), store.log(args.limit)
    finally:
        store.close()
    settings = build_settings(None)
    tokens = sum((r.prompt_tokens or 0) + (r.completion_tokens or 0) for r in every)
    print(f"{path}: {len(every)} brief(s) of {len({r.sha256 for r in every})} paper(s), "
          f"{sum(r.ok for r in every)} passing; {tokens} tokens, {_cost(settings, every)}")
    prompts = Counter(f"{r.prompt_id} v{r.prompt_version}" for r in every)  # a fingerprint is per paper: per row below
    models = Counter(r.model for r in every)
    print("prompts: " + "; ".join(f"{name} ({n})" for name, n in prompts.most_common()))
    print("models: " + "; ".join(f"{name} ({n})" for name, n in models.most_common()))
    for r in shown:
        state = "ok  " if r.ok else "FAIL"
        print(terminal_line(f"{r.created_at[:19].replace('T', ' ')}  {state}  {r.file}  {r.prompt_id} v{r.prompt_version} "
                            f"{r.fingerprint[:8]}  {r.model}  {r.prompt_tokens or 0}+{r.completion_tokens or 0} tokens"))
    if args.limit and len(every) > len(shown):
        print(f"... {len(every) - len(shown)} older brief(s); --limit {len(every)} shows them all")
    return EXIT_OK


def _cost(settings, rows) -> str:
    """The estimated cost at list prices, or what could not be priced."""
    total, unpriced = 0.0, set()
    for r in rows:
        price = settings.price_of(r.model)
        if price is None:
            unpriced.add(r.model)
            continue
        total += ((r.prompt_tokens or 0) * price.input + (r.completion_tokens or 0) * price.output) / 1e6
    return f"about ${total:.4f}" + (f" (no price for {', '.join(sorted(unpriced))})" if unpriced else "")


def add_log(sub, first_line) -> None:
    log = sub.add_parser("log", help=first_line(_log), description=_log.__doc__)
    log.add_argument("output_dir", nargs="?", default="outputs", metavar="OUTPUT_DIR",
                     help="the output folder whose run store to show (default: outputs)")
    log.add_argument("--limit", type=int, default=20, help="the newest N briefs listed one per line (default: 20)")
    log.set_defaults(handler=_log)
