"""Fake notification providers: real HTTP servers on 127.0.0.1 that follow each provider's published API."""
