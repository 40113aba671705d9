"""Carrying inspections between laptops and headquarters: signed ``.inspkg`` packages."""
