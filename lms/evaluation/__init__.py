"""Evaluation: schemes, records from results, board review, planning decisions, dossiers, reports."""
