"""Customer names by pinyin (seed 001: 按客户名称排序)."""

from __future__ import annotations

from domain.names import name_sort_key


def by_name(names: list[str]) -> list[str]:
    return sorted(names, key=name_sort_key)


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["张家港贸易", "阿里巴巴", "周氏商行", "李记批发", "北京联想", "重庆百货"]
    assert sorted(names) != by_name(names)  # code points put 周 and 张 before 李
    assert by_name(names) == ["阿里巴巴", "北京联想", "重庆百货", "李记批发", "张家港贸易",
                              "周氏商行"]


def test_a_shorter_syllable_comes_first_and_tones_break_ties():
    assert by_name(["麦田", "马六", "骂街", "妈妈"]) == ["妈妈", "马六", "骂街", "麦田"]
    assert by_name(["绿地", "吕梁", "卢湾"]) == ["卢湾", "吕梁", "绿地"]


def test_latin_and_digits_mix_in_and_punctuation_is_ignored():
    assert by_name(["联想（北京）有限公司", "联想北京分公司", "ABC公司", "3M中国", "Ｂ站"]) == [
        "3M中国", "ABC公司", "Ｂ站", "联想北京分公司", "联想（北京）有限公司"]
    assert name_sort_key("联想（北京）") == name_sort_key("联想 北京")


def test_the_key_uses_only_digits_and_lowercase_letters():
    key = name_sort_key("上海明辉（集团）有限公司 Co., Ltd. 㐀")
    assert key and set(key) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
