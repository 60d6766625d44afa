"""ClientDesk: client files, contact logs, tiers and complaint tickets for a small sales office."""

__version__ = "0.1.0"
