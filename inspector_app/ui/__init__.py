"""The desktop interface: the only package that may import PySide6
(``tests/test_architecture.py`` enforces it)."""
