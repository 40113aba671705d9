"""Inspector: offline field inspection for pilot-scale test bases (中试基地) and
technology-transfer service agencies (技术转移服务机构)."""

__version__ = "0.1.0"
APP_NAME = "Inspector"
