"""Công khai kết quả giải quyết: public, no login (docs/transparency.md)."""

from django.shortcuts import render


def transparency(request):
    """On-time shares and processing times per procedure and agency (placeholder until the page lands)."""
    return render(request, "transparency/transparency.html", {})
