"""SPARQL parts shared by the server and the command line: the guard and the killable runner.

- :mod:`genrl_kg.sparql.guard`: checks a query text before the engine sees it (size, nesting,
  updates, ``SERVICE``/``LOAD`` targets against an allow-list compared by name).
- :mod:`genrl_kg.sparql.hosts`: allow-list entries checked by name (no DNS); a host resolved only
  when a federated query runs, failing closed.
- :mod:`genrl_kg.sparql.formats`: content negotiation and the SPARQL wire formats.
- :mod:`genrl_kg.sparql.worker`: the worker process and its messages (:class:`Job`, replies).
- :mod:`genrl_kg.sparql.runner`: starts workers, kills them at the deadline, logs each death
  with its cause; :func:`run_in_worker` runs one job for the command line.
"""

from __future__ import annotations

from genrl_kg.sparql.guard import CheckedText, GuardError, check_text, tokenize
from genrl_kg.sparql.hosts import Allowlist, check_remote_endpoint, resolve_remote_endpoint
from genrl_kg.sparql.runner import WorkerProcess, describe_exit, run_in_worker, start_worker
from genrl_kg.sparql.worker import Answer, Failure, Job, Reply, Rows

__all__ = [
    "Allowlist",
    "Answer",
    "CheckedText",
    "Failure",
    "GuardError",
    "Job",
    "Reply",
    "Rows",
    "WorkerProcess",
    "check_remote_endpoint",
    "check_text",
    "describe_exit",
    "resolve_remote_endpoint",
    "run_in_worker",
    "start_worker",
    "tokenize",
]
