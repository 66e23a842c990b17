"""A mypy plugin: calling a factory_boy factory gives its model, as it does at run time.

factory_boy builds the object in its metaclass's `__call__`, which mypy does not follow, so to mypy
`TicketFactory()` is a `TicketFactory` and every `.pk` on it an error. This plugin types `SomeFactory()`,
`SomeFactory.create()`/`.build()` as the model named in the factory's `class Meta: model = ...` (inherited
Meta included), and `create_batch()`/`build_batch()` as a list of it, for every factory in the project without
touching the factories themselves. Listed under `plugins` in pyproject.toml ([tool.mypy]).
"""

from collections.abc import Callable

from mypy.nodes import TypeInfo, Var
from mypy.plugin import FunctionContext, MethodContext, Plugin
from mypy.types import CallableType, Type, TypeType, get_proper_type

FACTORY_BASE = "factory.base.BaseFactory"
ONE = frozenset({"create", "build"})
MANY = frozenset({"create_batch", "build_batch"})


def _model_of(info: TypeInfo) -> Type | None:
    """The instance type of the first `Meta.model` up the factory's MRO, or None when mypy cannot tell."""
    for base in info.mro:
        meta = base.names.get("Meta")
        if meta is None or not isinstance(meta.node, TypeInfo):
            continue
        model = meta.node.names.get("model")
        if model is None or not isinstance(model.node, Var) or model.node.type is None:
            continue
        declared = get_proper_type(model.node.type)
        if isinstance(declared, CallableType) and declared.is_type_obj():  # model = Ticket
            return declared.ret_type
        if isinstance(declared, TypeType):  # model = get_user_model()
            return declared.item
        return None
    return None


class FactoryBoyPlugin(Plugin):
    def _factory(self, fullname: str) -> TypeInfo | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is None or not isinstance(symbol.node, TypeInfo) or not symbol.node.has_base(FACTORY_BASE):
            return None
        return symbol.node

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        info = self._factory(fullname)
        if info is None:
            return None

        def instance(ctx: FunctionContext) -> Type:
            return _model_of(info) or ctx.default_return_type

        return instance

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        owner, _, method = fullname.rpartition(".")
        if method not in ONE | MANY:
            return None
        info = self._factory(owner)
        if info is None:
            return None

        def made(ctx: MethodContext) -> Type:
            model = _model_of(info)
            if model is None:
                return ctx.default_return_type
            if method in ONE:
                return model
            return ctx.api.named_generic_type("builtins.list", [model])

        return made


def plugin(version: str) -> type[Plugin]:
    return FactoryBoyPlugin
