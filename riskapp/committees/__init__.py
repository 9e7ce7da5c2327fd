"""Committees: the Board, its committees, their terms of reference and meetings."""
