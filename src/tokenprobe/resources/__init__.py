"""Package data: the OpenAPI specs (``specs/``), the templates of the tools' configuration files
(``templates/``) and the entry points ``tokenprobe init`` copies (``project/``).

Data only; `tokenprobe.core.native_files` renders and writes it.
"""
