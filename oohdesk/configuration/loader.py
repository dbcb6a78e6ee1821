"""Read and write the configuration file's YAML.

The loader differs from yaml.safe_load in three ways that suit a hand-written
file. An unquoted time such as 17:30 stays text, where YAML 1.1 reads it as the
base-60 number 1050. A key repeated in one mapping is an error instead of
silently replacing the first value. An impossible date such as 2026-13-01 stays
text, so validation reports it with its path.
"""

import re

import yaml

from oohdesk.configuration.reader import ConfigError

INT_TAG = "tag:yaml.org,2002:int"

# The YAML 1.1 integer forms without the base-60 one (digits separated by colons).
INT_WITHOUT_BASE_60 = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)


class ConfigLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        _reject_repeated_keys(node)
        return super().construct_mapping(node, deep=deep)


def _construct_timestamp_or_text(loader: ConfigLoader, node: yaml.ScalarNode):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_or_text)
ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != INT_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ConfigLoader.add_implicit_resolver(INT_TAG, INT_WITHOUT_BASE_60, list("-+0123456789"))


def _reject_repeated_keys(node: yaml.MappingNode) -> None:
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        if key_node.value in first_line:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f'key "{key_node.value}" repeats the key on line {first_line[key_node.value]}; remove one of them',
                key_node.start_mark,
            )
        first_line[key_node.value] = key_node.start_mark.line + 1


def load_document(text: str):
    """Return the document in ``text``, or raise ConfigError naming the line that failed to parse."""
    try:
        return yaml.load(text, Loader=ConfigLoader)
    except yaml.MarkedYAMLError as error:
        raise ConfigError([_describe_yaml_error(error)]) from error
    except yaml.YAMLError as error:
        raise ConfigError([f"invalid YAML: {error}"]) from error


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
    detail = "; ".join(part for part in (error.context, error.problem) if part)
    return f"{place}: invalid YAML: {detail}"


class ConfigDumper(yaml.SafeDumper):
    """Writes lists of plain values on one line, such as [on_call, team_lead], and mappings in block style."""

    def represent_sequence(self, tag, sequence, flow_style=None):
        if all(not isinstance(item, (dict, list)) for item in sequence):
            flow_style = True
        return super().represent_sequence(tag, sequence, flow_style=flow_style)


def dump_document(document: dict) -> str:
    return yaml.dump(document, Dumper=ConfigDumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
