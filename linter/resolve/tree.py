"""TreeNode lives in wsgilint.tree (an Apache parse leaf is one too); kept importable from here."""

from wsgilint.tree import TreeNode

__all__ = ["TreeNode"]
