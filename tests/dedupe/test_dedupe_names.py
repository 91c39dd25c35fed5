from dedupe.names import (
    are_nicknames,
    canonical_first_names,
    nickname_groups,
    normalise_first_name,
    normalise_last_name,
    normalise_person_name,
    split_full_name,
)
from dedupe.text import fold


def test_welsh_circumflex_folds_so_sian_matches_sian_typed_without_accent():
    assert normalise_first_name("Siân").key == normalise_first_name("SIAN").key == "sian"


def test_welsh_y_circumflex_in_llyr_folds_to_plain_y():
    name = normalise_first_name("Llŷr")
    assert name.key == "llyr"
    assert name.phonetic == normalise_first_name("Llyr").phonetic


def test_welsh_patronymic_ap_is_kept_as_a_particle_of_the_surname():
    first, last = split_full_name("Dafydd ap Gwilym")
    assert (first, last) == ("Dafydd", "ap Gwilym")
    surname = normalise_last_name(last)
    assert surname.text == "ap gwilym"
    assert surname.core == "gwilym"


def test_dafydd_and_david_share_a_nickname_group_and_a_sound():
    dafydd, david = normalise_first_name("Dafydd"), normalise_first_name("David")
    assert are_nicknames(dafydd, david)
    assert dafydd.phonetic == david.phonetic


def test_accents_from_other_languages_fold_to_plain_letters():
    assert normalise_first_name("Zoë").key == "zoe"
    assert normalise_first_name("José María").parts == ("jose", "maria")
    assert normalise_last_name("Müller").key == "muller"
    assert normalise_last_name("Nguyễn").key == "nguyen"
    assert normalise_first_name("Søren").key == "soren"
    assert normalise_first_name("Łukasz").key == "lukasz"
    assert normalise_last_name("Straße").key == "strasse"


def test_letters_outside_the_latin_alphabet_are_kept_and_still_compare():
    name = normalise_last_name("Иванов")
    assert name.key == "иванов"
    assert name.phonetic == "иванов"


def test_apostrophes_join_and_irish_particles_separate():
    assert normalise_last_name("O'Brien").key == "obrien"
    assert normalise_last_name("O’Brien").key == "obrien"
    assert normalise_last_name("Ó Briain").core == "briain"


def test_hyphenated_and_spaced_double_barrelled_surnames_agree():
    hyphen = normalise_last_name("Lloyd-Jones")
    spaced = normalise_last_name("Lloyd Jones")
    assert hyphen.key == spaced.key == "lloydjones"
    assert hyphen.parts == ("lloyd", "jones")


def test_mc_and_mac_are_one_prefix():
    assert normalise_last_name("McDonald").key == normalise_last_name("MacDonald").key


def test_titles_and_honours_are_dropped():
    assert normalise_first_name("Dr Siân").key == "sian"
    assert normalise_last_name("Evans OBE").key == "evans"
    assert split_full_name("Mrs Peggy Evans") == ("Peggy", "Evans")


def test_senior_and_junior_are_kept_as_a_generation_not_as_a_name():
    junior = normalise_person_name("John", "Smith Jnr")
    senior = normalise_person_name("John", "Smith Sr")
    assert junior.last.key == senior.last.key == "smith"
    assert (junior.generation, senior.generation) == ("junior", "senior")


def test_a_title_alone_is_treated_as_the_name_rather_than_lost():
    assert normalise_last_name("Lord").key == "lord"


def test_bill_is_william_and_peggy_is_margaret():
    assert are_nicknames(normalise_first_name("Bill"), normalise_first_name("William"))
    assert are_nicknames(normalise_first_name("Peggy"), normalise_first_name("Margaret"))
    assert are_nicknames(normalise_first_name("Siôn"), normalise_first_name("John"))


def test_names_that_are_now_separate_names_are_not_nicknames():
    assert not are_nicknames(normalise_first_name("Megan"), normalise_first_name("Margaret"))
    assert not are_nicknames(normalise_first_name("Bill"), normalise_first_name("Robert"))


def test_a_name_in_two_groups_is_equivalent_to_both():
    ted = normalise_first_name("Ted")
    assert canonical_first_names(ted) == {"edward", "theodore", "edmund"}
    assert are_nicknames(ted, normalise_first_name("Theodore"))
    assert not are_nicknames(normalise_first_name("Edward"), normalise_first_name("Theodore"))


def test_nickname_table_holds_only_folded_single_word_names():
    groups = nickname_groups()
    assert len(groups) > 300
    for name in groups:
        assert name == fold(name)
        assert name.isalpha(), name


def test_empty_and_missing_names_are_empty():
    assert not normalise_first_name(None)
    assert not normalise_last_name("  ")
    assert split_full_name("") == ("", "")
