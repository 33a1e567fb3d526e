// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer: layout, escaping of anything a kernel or a file can put
 * in a string, numbers, and refusal of misuse.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *finish(struct json *j)
{
	const char *text;
	size_t len;
	ck_assert_int_eq(json_finish(j, &text, &len), 0);
	ck_assert_uint_eq(len, strlen(text));
	return text;
}

START_TEST(compact_document)
{
	struct json j;
	json_init(&j, false);
	json_obj_begin(&j);
	json_kv_str(&j, "name", "latency");
	json_kv_u64(&j, "ts", 18446744073709551615ull);
	json_kv_i64(&j, "neg", -5);
	json_kv_bool(&j, "yes", true);
	json_key(&j, "none");
	json_null(&j);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_u64(&j, 1);
	json_str(&j, NULL);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	ck_assert_str_eq(finish(&j), "{\"name\":\"latency\",\"ts\":18446744073709551615,\"neg\":-5,"
				     "\"yes\":true,\"none\":null,\"list\":[1,null,{},[]]}");
	json_free(&j);
}
END_TEST

START_TEST(pretty_document)
{
	struct json j;
	json_init(&j, true);
	json_obj_begin(&j);
	json_key(&j, "a");
	json_arr_begin(&j);
	json_u64(&j, 1);
	json_u64(&j, 2);
	json_arr_end(&j);
	json_key(&j, "empty");
	json_obj_begin(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	ck_assert_str_eq(finish(&j), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"empty\": {}\n}\n");
	json_free(&j);
}
END_TEST

START_TEST(strings_are_escaped)
{
	struct json j;
	json_init(&j, false);
	json_arr_begin(&j);
	json_str(&j, "quote\" backslash\\ nl\n tab\t cr\r bell\a del\x7f");
	json_strn(&j, "nul\0inside", 10);
	json_str(&j, "utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_str(&j, "bad \xff \xc3 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 end");
	json_arr_end(&j);
	ck_assert_str_eq(finish(&j),
			 "[\"quote\\\" backslash\\\\ nl\\n tab\\t cr\\r bell\\u0007 del\\u007f\","
			 "\"nul\\u0000inside\","
			 "\"utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
			 "\"bad \\ufffd \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd "
			 "\\ufffd\\ufffd\\ufffd\\ufffd end\"]");
	json_free(&j);
}
END_TEST

START_TEST(fixed_point_numbers)
{
	struct json j;
	json_init(&j, false);
	json_arr_begin(&j);
	json_fixed(&j, 53120, 3);
	json_fixed(&j, 7, 3);
	json_fixed(&j, 0, 3);
	json_fixed(&j, 42, 0);
	json_arr_end(&j);
	ck_assert_str_eq(finish(&j), "[53.120,0.007,0.000,42]");
	json_free(&j);
}
END_TEST

START_TEST(misuse_is_refused)
{
	const char *text;
	size_t len;
	struct json j;

	json_init(&j, false); /* a value without a key inside an object */
	json_obj_begin(&j);
	json_u64(&j, 1);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* unbalanced */
	json_arr_begin(&j);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* wrong closer */
	json_arr_begin(&j);
	json_obj_end(&j);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* a key outside an object */
	json_arr_begin(&j);
	json_key(&j, "k");
	json_arr_end(&j);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* a dangling key */
	json_obj_begin(&j);
	json_key(&j, "k");
	json_obj_end(&j);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* two documents */
	json_u64(&j, 1);
	json_u64(&j, 2);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* nothing */
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);

	json_init(&j, false); /* too deep */
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_begin(&j);
	ck_assert_int_eq(json_finish(&j, &text, &len), -EINVAL);
	json_free(&j);
}
END_TEST

START_TEST(large_documents_grow)
{
	struct json j;
	json_init(&j, false);
	json_arr_begin(&j);
	for (int i = 0; i < 100000; i++)
		json_str(&j, "0123456789");
	json_arr_end(&j);
	const char *text = finish(&j);
	ck_assert_uint_eq(strlen(text), 2 + 100000 * 13 - 1); /* "0123456789", */
	json_free(&j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, compact_document);
	tcase_add_test(tc, pretty_document);
	tcase_add_test(tc, strings_are_escaped);
	tcase_add_test(tc, fixed_point_numbers);
	tcase_add_test(tc, misuse_is_refused);
	tcase_add_test(tc, large_documents_grow);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
