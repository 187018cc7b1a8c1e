"""Plots and widgets, one module per notebook topic (matplotlib and ipywidgets load lazily)."""
