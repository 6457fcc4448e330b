"""fupin-ledger: poverty-alleviation fund, project and asset books on Beancount."""

__version__ = "0.1.0"
